"""Digests: when each channel gets one (schedule), which stories go in (select),
and the outbox that delivers them."""
