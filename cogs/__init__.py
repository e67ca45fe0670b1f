"""Features, platform-free. Each module or package here declares itself once as `FEATURE` (bot/features.py);
`all_features()` is the composition root's list, used by the CLI's start-up and the tests. The core never
imports this package, and no feature imports another (import-linter checks both)."""

from __future__ import annotations

from bot.features import Feature


def all_features() -> list[Feature]:
    """Every feature, in the order their listeners run and `help` is built."""
    from cogs import admin, discussion, library, plans, polls, privacy, progress, quotes, reading, reminders

    return [
        module.FEATURE
        for module in (admin, discussion, library, plans, polls, privacy, progress, quotes, reading, reminders)
    ]
