"""The strict fake Discord refuses what Discord documents it refuses, and accepts the valid request beside it.

Most checks speak raw HTTP to the fake (the exact status, code and field errors matter); the permission, DM,
rate-limit and gateway checks go through the real discord.py client.
(Over 400 lines: one test, or one parametrised table, per documented refusal of the fake.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakes import discord_payloads as P
from tests.fakes import discord_permissions as perm
from tests.fakes import discord_rules as rules
from tests.fakes.discord_server import CommandHidden, FakeDiscord, running_client
from tests.fakes.discord_server import fake_discord as fake_discord_fixture  # noqa: F401

Call = tuple[int, Any, dict[str, str]]


async def call(fake: FakeDiscord, method: str, path: str, body: Any = None) -> Call:
    """One raw request to the fake's REST API: (status, JSON body or None, headers)."""
    async with aiohttp.ClientSession() as session, session.request(method, fake.api_base + path, json=body) as answer:
        data = await answer.json(content_type=None) if answer.status != 204 else None
        return answer.status, data, dict(answer.headers)


def field_errors(answer: Any) -> list[str]:
    """The dotted paths of a 50035 answer's field errors, e.g. ["embeds.0.title"]."""
    assert answer["code"] == 50035 and answer["message"] == "Invalid Form Body", answer
    found: list[str] = []

    def walk(node: dict[str, Any], path: list[str]) -> None:
        for key, value in node.items():
            if key == "_errors":
                found.append(".".join(path))
            else:
                walk(value, [*path, key])

    walk(answer["errors"], [])
    return found


def make_client() -> discord.Client:
    return discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)


# ---------------------------------------------------------------- application commands
def command(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "club",
        "type": 1,
        "description": "Reading club",
        "contexts": [0],
        "integration_types": [0],
        "default_member_permissions": None,
        "options": [
            {
                "name": "plan",
                "type": 1,
                "description": "Show the plan",
                "options": [{"name": "book", "type": 3, "description": "A book", "required": True, "max_length": 100}],
            }
        ],
    }
    body.update(changes)
    return body


def option(**changes: Any) -> dict[str, Any]:
    return {"name": "text", "type": 3, "description": "Some text", **changes}


BAD_COMMANDS = {
    "name with a capital": (command(name="Club"), "0.name"),
    "name with a space": (command(name="reading club"), "0.name"),
    "name of 33 characters": (command(name="c" * 33), "0.name"),
    "description of 101 characters": (command(description="d" * 101), "0.description"),
    "no description": (command(description=""), "0.description"),
    "26 options": (command(options=[option(name=f"o{i}") for i in range(26)]), "0.options"),
    "26 choices": (
        command(options=[option(choices=[{"name": f"c{i}", "value": f"c{i}"} for i in range(26)])]),
        "0.options.0.choices",
    ),
    "max_length 6001": (command(options=[option(max_length=6001)]), "0.options.0.max_length"),
    "min_length above max_length": (
        command(options=[option(min_length=10, max_length=5)]),
        "0.options.0.min_length",
    ),
    "required after optional": (
        command(options=[option(name="a"), option(name="b", required=True)]),
        "0.options.1.required",
    ),
    "default_member_permissions on a subcommand": (
        command(options=[{**command()["options"][0], "default_member_permissions": "32"}]),
        "0.options.0.default_member_permissions",
    ),
    "contexts outside 0-2": (command(contexts=[0, 7]), "0.contexts.1"),
    "integration_types outside 0-1": (command(integration_types=[3]), "0.integration_types.0"),
    "over 8000 characters": (
        command(
            options=[option(name=f"o{i}", choices=[{"name": "n" * 100, "value": "v" * 100}] * 25) for i in range(2)]
        ),
        "0",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_COMMANDS))
async def test_an_invalid_command_upload_is_refused_with_field_errors(fake_discord: FakeDiscord, case: str) -> None:
    body, path = BAD_COMMANDS[case]
    status, answer, _ = await call(fake_discord, "PUT", f"/applications/{fake_discord.application_id}/commands", [body])
    assert status == 400
    assert path in field_errors(answer)
    assert fake_discord.commands() == []  # nothing was stored


async def test_a_valid_command_upload_is_stored_and_dm_permission_beside_contexts_is_noted(
    fake_discord: FakeDiscord,
) -> None:
    body = command(dm_permission=True)
    status, answer, _ = await call(fake_discord, "PUT", f"/applications/{fake_discord.application_id}/commands", [body])
    assert status == 200 and [c["name"] for c in answer] == ["club"]
    assert [c["name"] for c in fake_discord.commands()] == ["club"]
    assert fake_discord.deprecations == ["/club: dm_permission=True sent beside contexts=[0]"]


async def test_a_command_hidden_by_default_member_permissions_cannot_be_run_by_a_member(
    fake_discord: FakeDiscord,
) -> None:
    manage_guild = perm.MANAGE_GUILD
    body = command(default_member_permissions=str(manage_guild))
    await call(fake_discord, "PUT", f"/applications/{fake_discord.application_id}/commands", [body])
    with pytest.raises(CommandHidden):
        fake_discord.slash_command("club plan", {"book": "Dune"})
    mod = fake_discord.add_member(None, "mod", permissions=P.EVERYONE_PERMISSIONS | manage_guild)
    assert fake_discord.slash_command("club plan", {"book": "Dune"}, user_id=mod).payload["data"]["name"] == "club"


async def test_server_command_permissions_replace_the_default_member_permissions(fake_discord: FakeDiscord) -> None:
    body = command(default_member_permissions=str(perm.MANAGE_GUILD))
    await call(fake_discord, "PUT", f"/applications/{fake_discord.application_id}/commands", [body])
    lead = fake_discord.add_role("Study lead")
    member = fake_discord.add_member(None, "lead", roles=[lead])
    with pytest.raises(CommandHidden):
        fake_discord.slash_command("club plan", {"book": "Dune"}, user_id=member)
    fake_discord.set_command_permissions("club", lead)  # Server Settings › Integrations: allow the role
    assert fake_discord.slash_command("club plan", {"book": "Dune"}, user_id=member).payload["data"]["name"] == "club"
    with pytest.raises(CommandHidden):
        fake_discord.slash_command("club plan", {"book": "Dune"})  # other members still do not see it
    fake_discord.set_command_permissions("club", member, allow=False, member=True)
    with pytest.raises(CommandHidden):
        fake_discord.slash_command("club plan", {"book": "Dune"}, user_id=member)  # a member's own denial wins
    fake_discord.set_command_permissions("club", fake_discord.guild_id)  # @everyone
    assert fake_discord.slash_command("club plan", {"book": "Dune"}).payload["data"]["name"] == "club"


# ---------------------------------------------------------------- messages, embeds, components
def row(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(buttons)}


def button(custom_id: str = "b", label: str = "Go") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


BAD_MESSAGES = {
    "content of 2001": ({"content": "x" * 2001}, "content"),
    "11 embeds": ({"embeds": [{"title": "t"}] * 11}, "embeds"),
    "embed title of 257": ({"embeds": [{"title": "t" * 257}]}, "embeds.0.title"),
    "embed description of 4097": ({"embeds": [{"description": "d" * 4097}]}, "embeds.0.description"),
    "26 embed fields": ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, "embeds.0.fields"),
    "field value of 1025": ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, "embeds.0.fields.0.value"),
    "embeds over 6000 in total": ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, "embeds"),
    "6 action rows": ({"components": [row(button(f"b{i}")) for i in range(6)]}, "components"),
    "6 buttons in a row": ({"components": [row(*(button(f"b{i}") for i in range(6)))]}, "components.0.components"),
    "custom_id of 101": ({"components": [row(button("c" * 101))]}, "components.0.components.0.custom_id"),
    "label of 81": ({"components": [row(button(label="l" * 81))]}, "components.0.components.0.label"),
    "duplicate custom_id": (
        {"components": [row(button("same"), button("same"))]},
        "components.0.components.1.custom_id",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_MESSAGES))
async def test_an_invalid_message_is_refused_with_field_errors(fake_discord: FakeDiscord, case: str) -> None:
    body, path = BAD_MESSAGES[case]
    status, answer, _ = await call(fake_discord, "POST", f"/channels/{fake_discord.channel_id}/messages", body)
    assert status == 400 and path in field_errors(answer)
    assert fake_discord.channel_messages() == []


async def test_a_valid_message_at_the_limits_is_sent(fake_discord: FakeDiscord) -> None:
    body = {
        "content": "x" * 2000,
        "embeds": [{"title": "t" * 256, "description": "d" * 4096, "fields": [{"name": "n", "value": "v" * 1024}]}],
        "components": [row(*(button(f"r{r}b{i}", "l" * 80) for i in range(5))) for r in range(5)],
    }
    status, answer, _ = await call(fake_discord, "POST", f"/channels/{fake_discord.channel_id}/messages", body)
    assert status == 200 and answer["content"] == "x" * 2000


async def test_an_empty_message_is_refused(fake_discord: FakeDiscord) -> None:
    status, answer, _ = await call(fake_discord, "POST", f"/channels/{fake_discord.channel_id}/messages", {})
    assert (status, answer["code"]) == (400, 50006)


# ---------------------------------------------------------------- modals and other callbacks
def modal(**changes: Any) -> dict[str, Any]:
    text_input = {"type": 4, "custom_id": "text", "style": 2, "max_length": 1000}
    data = {
        "custom_id": "form",
        "title": "Suggest a prompt",
        "components": [{"type": 18, "label": "Your text", "component": text_input}],
    }
    data.update(changes)
    return data


BAD_MODALS = {
    "title of 46": (modal(title="t" * 46), "data.title"),
    "custom_id of 101": (modal(custom_id="c" * 101), "data.custom_id"),
    "text input max_length 4001": (
        modal(
            components=[
                {
                    "type": 18,
                    "label": "Text",
                    "component": {"type": 4, "custom_id": "t", "style": 2, "max_length": 4001},
                }
            ]
        ),
        "data.components.0.component.max_length",
    ),
    "6 components": (modal(components=[modal()["components"][0]] * 6), "data.components"),
}


@pytest.mark.parametrize("case", sorted(BAD_MODALS))
async def test_an_invalid_modal_is_refused(fake_discord: FakeDiscord, case: str) -> None:
    data, path = BAD_MODALS[case]
    handle = fake_discord.slash_command("note")
    status, answer, _ = await call(
        fake_discord, "POST", f"/interactions/{handle.id}/{handle.token}/callback", {"type": 9, "data": data}
    )
    assert status == 400 and path in field_errors(answer)
    ok, _, _ = await call(
        fake_discord, "POST", f"/interactions/{handle.id}/{handle.token}/callback", {"type": 9, "data": modal()}
    )
    assert ok == 204  # the refused answer did not acknowledge the interaction; a valid one still can


async def test_an_autocomplete_answer_with_26_choices_is_refused(fake_discord: FakeDiscord) -> None:
    handle = fake_discord.autocomplete("club plan", {"book": "D"}, focused="book")
    choices = [{"name": f"Book {i}", "value": f"b{i}"} for i in range(26)]
    path = f"/interactions/{handle.id}/{handle.token}/callback"
    status, answer, _ = await call(fake_discord, "POST", path, {"type": 8, "data": {"choices": choices}})
    assert status == 400 and "data.choices" in field_errors(answer)
    status, _, _ = await call(fake_discord, "POST", path, {"type": 4, "data": {"content": "no"}})
    assert status == 400  # an autocomplete interaction takes only choices


# ---------------------------------------------------------------- threads
async def test_thread_name_and_auto_archive_duration_are_checked(fake_discord: FakeDiscord) -> None:
    threads = f"/channels/{fake_discord.channel_id}/threads"
    status, answer, _ = await call(fake_discord, "POST", threads, {"name": "n" * 101, "type": 11})
    assert status == 400 and field_errors(answer) == ["name"]
    status, answer, _ = await call(
        fake_discord, "POST", threads, {"name": "Chapter 1", "type": 11, "auto_archive_duration": 30}
    )
    assert status == 400 and field_errors(answer) == ["auto_archive_duration"]
    status, answer, _ = await call(
        fake_discord, "POST", threads, {"name": "n" * 100, "type": 11, "auto_archive_duration": 10080}
    )
    assert status == 201 and answer["thread_metadata"]["auto_archive_duration"] == 10080


# ---------------------------------------------------------------- scheduled events
def event(fake: FakeDiscord, **changes: Any) -> dict[str, Any]:
    start = fake.now() + dt.timedelta(days=1)
    body = {
        "name": "Chapter 3",
        "description": "We read chapter 3.",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": start.isoformat(),
        "scheduled_end_time": (start + dt.timedelta(hours=1)).isoformat(),
        "entity_metadata": {"location": "#general"},
    }
    body.update(changes)
    return body


async def test_events_need_create_events_since_february_2026(fake_discord: FakeDiscord) -> None:
    events = f"/guilds/{fake_discord.guild_id}/scheduled-events"
    fake_discord.set_bot_permissions(perm.MANAGE_EVENTS_ONLY_INVITE)
    status, answer, _ = await call(fake_discord, "POST", events, event(fake_discord))
    assert (status, answer["code"]) == (403, 50013)  # Manage Events alone no longer creates events
    fake_discord.set_bot_permissions(perm.MANAGE_EVENTS_ONLY_INVITE | perm.CREATE_EVENTS)
    status, answer, _ = await call(fake_discord, "POST", events, event(fake_discord))
    assert status == 200 and answer["name"] == "Chapter 3"
    fake_discord.set_bot_permissions(perm.VIEW_CHANNEL | perm.CREATE_EVENTS)  # its own events: still editable
    status, _, _ = await call(fake_discord, "PATCH", f"{events}/{answer['id']}", {"name": "Chapter 4"})
    assert status == 200


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"name": "n" * 101}, "name"),
        ({"name": ""}, "name"),
        ({"description": "d" * 1001}, "description"),
        ({"entity_metadata": {"location": "l" * 101}}, "entity_metadata.location"),
        ({"entity_metadata": {}}, "entity_metadata.location"),
        ({"scheduled_end_time": None}, "scheduled_end_time"),
        ({"scheduled_start_time": "2020-01-01T10:00:00+00:00"}, "scheduled_start_time"),
    ],
)
async def test_an_invalid_event_is_refused(fake_discord: FakeDiscord, changes: dict[str, Any], path: str) -> None:
    fake_discord.set_bot_permissions(perm.README_INVITE | perm.CREATE_EVENTS)
    status, answer, _ = await call(
        fake_discord, "POST", f"/guilds/{fake_discord.guild_id}/scheduled-events", event(fake_discord, **changes)
    )
    assert status == 400 and path in field_errors(answer)


async def test_an_event_ending_before_it_starts_is_refused(fake_discord: FakeDiscord) -> None:
    fake_discord.set_bot_permissions(perm.README_INVITE | perm.CREATE_EVENTS)
    start = fake_discord.now() + dt.timedelta(days=1)
    body = event(fake_discord, scheduled_end_time=(start - dt.timedelta(hours=1)).isoformat())
    status, answer, _ = await call(fake_discord, "POST", f"/guilds/{fake_discord.guild_id}/scheduled-events", body)
    assert status == 400 and "scheduled_end_time" in field_errors(answer)


async def test_the_101st_uncompleted_event_is_refused_with_30038(fake_discord: FakeDiscord) -> None:
    fake_discord.set_bot_permissions(perm.README_INVITE | perm.CREATE_EVENTS)
    events = f"/guilds/{fake_discord.guild_id}/scheduled-events"
    for _ in range(100):
        status, _, _ = await call(fake_discord, "POST", events, event(fake_discord))
        assert status == 200
    status, answer, _ = await call(fake_discord, "POST", events, event(fake_discord))
    assert (status, answer["code"]) == (400, 30038)


async def test_a_start_in_the_future_follows_the_fake_clock(fake_discord: FakeDiscord) -> None:
    fake_discord.set_bot_permissions(perm.README_INVITE | perm.CREATE_EVENTS)
    body = event(fake_discord)
    fake_discord.advance(2 * 86400)  # the event's start is now two days... one day in the past
    status, answer, _ = await call(fake_discord, "POST", f"/guilds/{fake_discord.guild_id}/scheduled-events", body)
    assert status == 400 and field_errors(answer) == ["scheduled_start_time"]


# ---------------------------------------------------------------- permissions and overwrites
def test_overwrites_apply_in_the_documented_order() -> None:
    guild, member_id, role_a, role_b = 1, 10, 2, 3
    base = perm.VIEW_CHANNEL | perm.SEND_MESSAGES | perm.EMBED_LINKS
    overwrites = [
        {"id": str(guild), "type": 0, "allow": "0", "deny": str(perm.SEND_MESSAGES)},  # @everyone: no sending
        {"id": str(role_a), "type": 0, "allow": str(perm.SEND_MESSAGES), "deny": "0"},  # a role allows it again
        {"id": str(role_b), "type": 0, "allow": "0", "deny": str(perm.SEND_MESSAGES)},  # role allow beats role deny
    ]
    roles = [str(role_a), str(role_b)]
    assert perm.overwritten(base, guild, member_id, roles, overwrites) & perm.SEND_MESSAGES
    member_deny = {"id": str(member_id), "type": 1, "allow": "0", "deny": str(perm.SEND_MESSAGES)}
    denied = perm.overwritten(base, guild, member_id, roles, [*overwrites, member_deny])
    assert not denied & perm.SEND_MESSAGES
    assert not denied & perm.EMBED_LINKS  # implicit: no sending means no embeds either
    hidden = {"id": str(guild), "type": 0, "allow": "0", "deny": str(perm.VIEW_CHANNEL)}
    assert perm.overwritten(base, guild, member_id, [], [hidden]) == 0  # implicit: unseen means nothing


async def test_interactions_carry_permissions_with_channel_overwrites(fake_discord: FakeDiscord) -> None:
    quiet = fake_discord.add_channel("quiet")
    fake_discord.set_overwrite(quiet, fake_discord.guild_id, deny=perm.SEND_MESSAGES)
    handle = fake_discord.slash_command("help", channel_id=quiet)
    assert not int(handle.payload["member"]["permissions"]) & perm.SEND_MESSAGES
    assert not int(handle.payload["app_permissions"]) & perm.SEND_MESSAGES
    assert int(handle.payload["channel"]["permissions"]) == int(handle.payload["member"]["permissions"])
    general = fake_discord.slash_command("help")
    assert int(general.payload["member"]["permissions"]) & perm.SEND_MESSAGES
    assert int(general.payload["app_permissions"]) == perm.README_INVITE | P.EVERYONE_PERMISSIONS


async def test_sending_is_refused_where_overwrites_forbid_it(fake_discord: FakeDiscord) -> None:
    client = make_client()
    bot_role = fake_discord.guilds[fake_discord.guild_id].bot_role_id
    hidden = fake_discord.add_channel("staff")
    fake_discord.set_overwrite(hidden, fake_discord.guild_id, deny=perm.VIEW_CHANNEL)
    fake_discord.set_overwrite(hidden, bot_role, deny=perm.VIEW_CHANNEL)
    mute = fake_discord.add_channel("announcements")
    fake_discord.set_overwrite(mute, bot_role, deny=perm.SEND_MESSAGES | perm.ATTACH_FILES | perm.EMBED_LINKS)
    plain = fake_discord.add_channel("plain")
    fake_discord.set_overwrite(plain, bot_role, deny=perm.ATTACH_FILES | perm.EMBED_LINKS)
    async with running_client(client):
        with pytest.raises(discord.Forbidden) as missing_access:
            await client.http.send_message(hidden, params=discord.http.handle_message_parameters(content="hi"))
        assert missing_access.value.code == 50001
        with pytest.raises(discord.Forbidden) as cannot_send:
            await client.http.send_message(mute, params=discord.http.handle_message_parameters(content="hi"))
        assert cannot_send.value.code == 50013
        channel = client.get_channel(plain)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("text is fine")
        with pytest.raises(discord.Forbidden) as no_files:
            await channel.send(file=discord.File(__file__, "notes.txt"))
        assert no_files.value.code == 50013
        with pytest.raises(discord.Forbidden) as no_embeds:
            await channel.send(embed=discord.Embed(title="Plan"))
        assert no_embeds.value.code == 50013
    assert [m["content"] for m in fake_discord.channel_messages(plain)] == ["text is fine"]


async def test_threads_need_their_own_permissions(fake_discord: FakeDiscord) -> None:
    bot_role = fake_discord.guilds[fake_discord.guild_id].bot_role_id
    client = make_client()
    async with running_client(client):
        channel = client.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        starter = await channel.send("Chapter 1")
        thread = await starter.create_thread(name="Chapter 1", auto_archive_duration=1440)
        await thread.send("in the thread")
        fake_discord.set_overwrite(
            fake_discord.channel_id, bot_role, deny=perm.SEND_MESSAGES_IN_THREADS | perm.CREATE_PUBLIC_THREADS
        )
        with pytest.raises(discord.Forbidden) as in_thread:
            await thread.send("refused")
        assert in_thread.value.code == 50013
        await channel.send("the channel itself still works")
        second = await channel.send("Chapter 2")
        with pytest.raises(discord.Forbidden) as no_thread:
            await second.create_thread(name="Chapter 2")
        assert no_thread.value.code == 50013


async def test_closed_dms_and_deleted_channels_are_refused(fake_discord: FakeDiscord) -> None:
    client = make_client()
    open_user, closed_user = fake_discord.user_id, fake_discord.add_member(None, "private")
    fake_discord.close_dms(closed_user)
    doomed = fake_discord.add_channel("old-club")
    async with running_client(client):
        await (await client.fetch_user(open_user)).send("Your reading opens today.")
        with pytest.raises(discord.Forbidden) as closed:
            await (await client.fetch_user(closed_user)).send("Your reading opens today.")
        assert closed.value.code == 50007
        fake_discord.delete_channel(doomed)
        with pytest.raises(discord.NotFound) as gone:
            await client.http.send_message(doomed, params=discord.http.handle_message_parameters(content="hi"))
        assert gone.value.code == 10003


async def test_a_bot_without_manage_roles_cannot_give_roles(fake_discord: FakeDiscord) -> None:
    role = fake_discord.add_role("Reader")
    path = f"/guilds/{fake_discord.guild_id}/members/{fake_discord.user_id}/roles/{role}"
    status, answer, _ = await call(fake_discord, "PUT", path)
    assert (status, answer["code"]) == (403, 50013)


# ---------------------------------------------------------------- interaction deadlines
async def test_the_initial_response_must_come_within_3_seconds(fake_discord: FakeDiscord) -> None:
    late = fake_discord.slash_command("help")
    fake_discord.advance(3.5)
    status, answer, _ = await call(
        fake_discord, "POST", f"/interactions/{late.id}/{late.token}/callback", {"type": 4, "data": {"content": "hi"}}
    )
    assert (status, answer["code"]) == (404, 10062)
    status, answer, _ = await call(
        fake_discord, "POST", f"/webhooks/{fake_discord.application_id}/{late.token}", {"content": "hi"}
    )
    assert (status, answer["code"]) == (401, 50027)  # the unanswered token is invalidated
    prompt = fake_discord.slash_command("help")
    status, _, _ = await call(
        fake_discord,
        "POST",
        f"/interactions/{prompt.id}/{prompt.token}/callback",
        {"type": 4, "data": {"content": "hi"}},
    )
    assert status == 204


async def test_followups_and_edits_stop_after_15_minutes(fake_discord: FakeDiscord) -> None:
    handle = fake_discord.slash_command("help")
    hook = f"/webhooks/{fake_discord.application_id}/{handle.token}"
    status, _, _ = await call(fake_discord, "POST", f"/interactions/{handle.id}/{handle.token}/callback", {"type": 5})
    assert status == 204
    fake_discord.advance(14 * 60)
    status, _, _ = await call(fake_discord, "PATCH", f"{hook}/messages/@original", {"content": "still in time"})
    assert status == 200
    fake_discord.advance(2 * 60)
    for method, path in (
        ("POST", hook),
        ("PATCH", f"{hook}/messages/@original"),
        ("GET", f"{hook}/messages/@original"),
    ):
        status, answer, _ = await call(fake_discord, method, path, {"content": "too late"} if method != "GET" else None)
        assert (status, answer["code"]) == (401, 50027), (method, path)


async def test_the_first_followup_after_a_defer_edits_the_loading_message(fake_discord: FakeDiscord) -> None:
    handle = fake_discord.slash_command("help")
    hook = f"/webhooks/{fake_discord.application_id}/{handle.token}"
    await call(
        fake_discord, "POST", f"/interactions/{handle.id}/{handle.token}/callback", {"type": 5, "data": {"flags": 64}}
    )
    loading = handle.response_message
    assert loading is not None and loading["flags"] & P.LOADING
    status, first, _ = await call(fake_discord, "POST", hook, {"content": "Here it is"})  # no ephemeral flag
    assert status == 200 and first["id"] == loading["id"]  # no new message: the loading one was edited
    assert first["flags"] & P.EPHEMERAL and not first["flags"] & P.LOADING  # the defer's flag is kept
    status, second, _ = await call(fake_discord, "POST", hook, {"content": "And more"})
    assert status == 200 and second["id"] != loading["id"] and not second["flags"] & P.EPHEMERAL
    assert [m["content"] for m in fake_discord.channel_messages()] == ["Here it is", "And more"]


# ---------------------------------------------------------------- rate limits and nonces
async def test_a_429_carries_discords_headers_and_discord_py_retries(fake_discord: FakeDiscord) -> None:
    messages = rf"/channels/{fake_discord.channel_id}/messages"
    fake_discord.rate_limit("POST", messages, times=1, retry_after=0.1, bucket="abcd1234")
    status, answer, headers = await call(fake_discord, "POST", messages, {"content": "hi"})
    assert status == 429
    assert answer == {"message": "You are being rate limited.", "retry_after": 0.1, "global": False}
    assert headers["X-RateLimit-Bucket"] == "abcd1234" and headers["X-RateLimit-Remaining"] == "0"
    assert {"X-RateLimit-Limit", "X-RateLimit-Reset", "X-RateLimit-Reset-After", "Retry-After"} <= set(headers)

    rule = fake_discord.rate_limit("POST", messages, times=2, retry_after=0.1)
    client = make_client()
    async with running_client(client):
        channel = client.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("after waiting")
    assert rule.served == 2 and sent.content == "after waiting"
    statuses = [r.status for r in fake_discord.requests.items if r.path == messages and r.method == "POST"]
    assert statuses == [429, 429, 429, 200]


async def test_nonces_are_deduplicated_only_for_a_few_minutes(fake_discord: FakeDiscord) -> None:
    messages = f"/channels/{fake_discord.channel_id}/messages"
    body = {"content": "Reading 2 opens", "nonce": "post:42", "enforce_nonce": True}
    _, first, _ = await call(fake_discord, "POST", messages, body)
    _, again, _ = await call(fake_discord, "POST", messages, body)
    assert again["id"] == first["id"]
    fake_discord.advance(fake_discord.nonce_window + 1)
    _, later, _ = await call(fake_discord, "POST", messages, body)
    assert later["id"] != first["id"]
    status, answer, _ = await call(fake_discord, "POST", messages, {**body, "nonce": "n" * 26})
    assert status == 400 and field_errors(answer) == ["nonce"]


# ---------------------------------------------------------------- gateway
async def test_ready_and_guild_create_are_what_a_bot_without_privileged_intents_gets(fake_discord: FakeDiscord) -> None:
    others = [fake_discord.add_member(None, f"reader{i}") for i in range(3)]
    client = make_client()
    async with running_client(client):
        guild = client.get_guild(fake_discord.guild_id)
        assert guild is not None and guild.member_count == 5  # the bot, "reader" and three more
        assert [m.id for m in guild.members] == [fake_discord.application_id]
        assert all(guild.get_member(o) is None for o in others)


async def test_ready_has_no_user_client_fields(fake_discord: FakeDiscord) -> None:
    client = make_client()
    async with running_client(client):
        [session] = fake_discord.sessions.values()
        ready = next(f["d"] for f in session.frames if f["t"] == "READY")
        assert set(ready) == {"v", "user", "guilds", "session_id", "resume_gateway_url", "shard", "application"}
        members_intent = discord.Intents.default()
        members_intent.members = True
    with_members = discord.Client(intents=members_intent, guild_ready_timeout=0.05)
    async with running_client(with_members):
        guild = with_members.get_guild(fake_discord.guild_id)
        assert guild is not None and len(guild.members) == 2


def test_rules_collect_nested_field_errors() -> None:
    errors = rules.FormErrors()
    rules.check_message({"embeds": [{"title": "t" * 257}]}, errors)
    assert errors.body() == {
        "code": 50035,
        "message": "Invalid Form Body",
        "errors": {
            "embeds": {
                "0": {
                    "title": {
                        "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]
                    }
                }
            }
        },
    }


async def test_an_outage_answers_server_errors_then_recovers(fake_discord: FakeDiscord) -> None:
    fake_discord.outage("GET", r"/users/@me", times=2, status=503)
    assert (await call(fake_discord, "GET", "/users/@me"))[0] == 503
    assert (await call(fake_discord, "GET", "/users/@me"))[0] == 503
    status, me, _ = await call(fake_discord, "GET", "/users/@me")
    assert status == 200 and me["id"] == str(fake_discord.application_id)
