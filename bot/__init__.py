"""newsdigest's service: feeds, storage, stories, digests and chat platforms."""
