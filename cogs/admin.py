"""Help and group administration: binding a room to a reading group and setting its time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.commands import Invocation, Permission, Text, command
from bot.domain.plans import PlanError
from bot.features import Feature
from bot.replies import Field, Reply, UserError
from bot.services.plans import move_to_zone
from bot.storage import members as member_store
from bot.storage import plans as plan_store
from bot.timeutil import format_local


@command("help", help="List the commands, or show how to use one.", params={"topic": "A command name"})
async def help_(inv: Invocation, topic: Text | None = None) -> Reply:
    registry = inv.app.registry
    prefix = inv.context.prefix
    if topic and topic.strip("/! "):
        words = [w.lstrip("/!") for w in topic.lower().split()]  # `/help /plan create` as members copy it
        words = [w for w in words if w]
        spec = registry.get(" ".join(words[:2])) or registry.get(words[0])
        if spec is None:
            group = registry.groups().get(words[0])
            if not group:
                raise UserError(f"There is no command “{topic}”; `{prefix}help` lists them all.")
            if len(words) > 1:
                names = ", ".join(f"`{s.name}`" for s in group)
                raise UserError(f"`{words[0]}` has no subcommand “{words[1]}”; try one of {names}.")
            lines = [f"`{prefix}{s.usage}` — {s.help}" for s in group]
            return Reply(title=f"{words[0]} commands", text="\n".join(lines))
        lines = [spec.help, "", f"Usage: `{prefix}{spec.usage}`"]
        for param in spec.params:
            if param.help:
                lines.append(f"• {param.option_name} ({param.type_name}): {param.help}")
        if spec.details:
            lines += ["", spec.details]
        if spec.permission is Permission.MODERATOR:
            lines += ["", "Moderators only."]
        return Reply(title=f"{prefix}{spec.name}", text="\n".join(lines))
    lines = []
    for spec in registry:
        marker = " (moderators)" if spec.permission is Permission.MODERATOR else ""
        lines.append(f"`{prefix}{spec.name}` — {spec.help}{marker}")
    lines += ["", f"`{prefix}help <command>` shows how to use one."]
    return Reply(title="Readalong commands", text="\n".join(lines))


@command(
    "group setup",
    help="Make this room a reading group (you become its moderator).",
    params={"timezone": "IANA time zone for meetings, e.g. Europe/Berlin", "name": "The group's name"},
)
async def group_setup(inv: Invocation, timezone: ZoneInfo | None = None, name: Text | None = None) -> Reply:
    if not inv.context.platform_moderator and not inv.is_moderator:
        raise UserError("Only room moderators or server managers can make this room a reading group.")
    zone = str(timezone) if timezone else inv.app.settings.bot.timezone
    room = inv.context.room
    default_name = (room.name if room else None) or "Reading group"
    group, created = await inv.app.setup_group(inv.context, name=str(name or default_name), timezone=zone)
    if not created:
        raise UserError(f"This room is already the reading group “{group.name}”; `group info` shows it.")
    return Reply(
        title=f"Reading group “{group.name}” is set up",
        text=f"Meetings and reminders use the time zone {group.timezone}. Next: `plan create` to schedule a book.",
    )


@command("group info", help="Show this room's reading group: time zone, members and moderators.")
async def group_info(inv: Invocation) -> Reply:
    group = inv.require_group()
    people = await member_store.of_group(inv.db, group.id)
    moderators = [m.display_name for m, role in people if role == "moderator"]
    room = inv.context.room
    if inv.context.platform_decides_moderators and room is not None:
        moderators = list(room.moderators)  # the platform's live answer, not roles stored at `group setup`
    members = room.members if room is not None and room.members is not None else len(people)
    return Reply(
        title=group.name,
        text=f"Local time now: {format_local(inv.now(), ZoneInfo(group.timezone))}",
        fields=(
            Field("Time zone", group.timezone, inline=True),
            Field("Members", str(members), inline=True),
            Field("Moderators", ", ".join(moderators) or "none", inline=True),
        ),
    )


@command(
    "group timezone",
    help="Change the group's time zone (meetings keep their local time).",
    params={"timezone": "IANA time zone, e.g. America/New_York"},
    permission=Permission.MODERATOR,
)
async def group_timezone(inv: Invocation, timezone: ZoneInfo) -> Reply:
    group = inv.require_group()
    if str(timezone) == group.timezone:
        return Reply(text=f"The group's time zone is already {timezone}.")
    now = inv.now()
    try:
        laid = await move_to_zone(inv.app, group, timezone, now)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    upcoming = [r for r in laid or () if r.meeting_at > now]
    moved = ""
    if upcoming:
        plan = await plan_store.live(inv.db, group.id)
        cadence = plan.cadence if plan else ""
        moved = (
            f" The plan keeps its local times ({cadence}); the next meeting is "
            f"{format_local(upcoming[0].meeting_at, timezone)}."
        )
    return Reply(text=f"The group's time zone is now {timezone}.{moved}")


FEATURE = Feature(name="admin", commands=(help_, group_setup, group_info, group_timezone))
