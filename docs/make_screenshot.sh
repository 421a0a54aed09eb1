#!/bin/sh
# Redraws docs/demo-digest.png: the demo's Discord and Slack payloads rendered by
# bot/render/preview.html_page (the header and the first story with its thread), captured
# by headless Chromium with a throwaway profile. Run from the repository root.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -c "
import asyncio, sys
from bot.demo.cycle import preview_html
open(sys.argv[1], 'w', encoding='utf-8').write(asyncio.run(preview_html(stories=1)))
" "$work/preview.html"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size=1400,1130 \
  --screenshot=docs/demo-digest.png "file://$work/preview.html"
