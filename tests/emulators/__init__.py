"""Loopback emulators of the Discord and Slack APIs that the real client libraries talk to.

Written for this test suite (see ../../notes on chat emulators for the facts they follow):
`DiscordEmulator` serves the REST routes and the gateway websocket a digest bot uses,
`SlackEmulator` the Web API methods, Socket Mode and signed slash-command requests. Both bind
127.0.0.1 on a free port, record every request for assertions and can inject rate limits.
Fixtures: `discord_emulator` and `slack_emulator` in `tests/emulators/fixtures.py`.
"""
