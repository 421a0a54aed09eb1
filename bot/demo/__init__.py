"""`newsdigest demo`: bundled sample feeds and articles served on 127.0.0.1, one full cycle.

`content/` holds three feeds (RSS, Atom, JSON Feed) and the articles they link to, written for
this project; feeds say `{base}` where the server's address goes. See `server` and `cycle`.
"""
