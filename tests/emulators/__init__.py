"""Loopback emulators of the Discord and Slack APIs that the real client libraries talk to.

Written for this test suite, following the shared notes on chat emulators (DESIGN.md, Testing):
`DiscordEmulator` serves the REST routes and the gateway websocket a digest bot uses,
`SlackEmulator` the Web API methods, Socket Mode and signed slash-command requests. Both bind
127.0.0.1 on a free port, record every request for assertions and can inject rate limits.
Fixtures (`tests/emulators/fixtures.py`, imported by tests/conftest.py):

    async def test_x(discord_emulator):        # discord.py already points at it
        async with running_client(make_client(guild_ready_timeout=0.05), discord_emulator):
            ...                                # then assert on discord_emulator.messages
    async def test_y(slack_emulator):          # Slack env vars and proxies cleared
        client = web_client(token=slack_emulator.bot_token, base_url=slack_emulator.api_url)

"""
