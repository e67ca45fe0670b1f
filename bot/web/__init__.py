"""The groups' web pages (issue #12): a small aiohttp server, the reading files (EPUB, HTML) and what they show.

The HTTP server itself is bot/adapters/web.py (routes, token gate, headers, rate limit), since only adapters may
import aiohttp. Modules here: content (storage reads with the spoiler gate),
document (a reading's text model and its anchors), render (Jinja2 templates, autoescaped), epub (EPUB 3
bytes), ratelimit, logs (token redaction). The package imports no cog: it reads storage and the core only.
"""
