"""Chat platform adapters: the only package that imports discord, slack_bolt or slack_sdk.

`base.Platform` is the seam the outbox delivers through; `discord`, `slack` and `console`
implement it. Import the concrete adapters from their modules (importing this package does
not import any platform library).
"""
