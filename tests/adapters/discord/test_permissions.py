"""The README's invite grants exactly what the adapter needs, and a server that followed it can host meetings."""

from __future__ import annotations

import re

from bot.adapters.discord.permissions import INVITE, NEEDED, display_names, invite_url
from tests.fakes import discord_permissions as perm


def test_the_readme_invite_integer_is_the_codes_own_list() -> None:
    text = perm.README.read_text(encoding="utf-8")
    assert perm.readme_invite() == INVITE.value
    assert invite_url("APPLICATION_ID") in text


def test_the_readme_names_every_needed_permission() -> None:
    text = " ".join(perm.README.read_text(encoding="utf-8").split())
    [sentence] = re.findall(r"these permissions: ([^(]+)\(", text)
    listed = {name.strip() for name in re.split(r",| and ", sentence) if name.strip()}
    assert listed == set(display_names())


def test_the_invite_includes_create_events_and_nothing_unused() -> None:
    assert INVITE.value & perm.CREATE_EVENTS
    assert not INVITE.value & (perm.ADMINISTRATOR | perm.MANAGE_GUILD | perm.MENTION_EVERYONE | perm.MANAGE_ROLES)
    assert len(NEEDED) == len(display_names()) == bin(INVITE.value).count("1")
