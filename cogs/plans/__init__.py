"""Study plans: a syllabus of readings laid on a group's meetings, run by the scheduler.

Moderators `plan create` (a preview with Confirm/Discard buttons; the draft is stored, not kept in memory),
then pause, resume, skip, shift, add, blackout or cancel it; everyone can `plan show`, `plan next` and
`plan ics`. The calendar maths is bot/domain/plans.py and bot/domain/layout.py; laying readings on meetings and
keeping the plan's schedules (one "reading-opens" row, one "reminder" row per offset, see cogs/reminders.py) in
step is bot/services/plans.py. Modules: lifecycle.py (create … cancel), changes.py (skip, blackout, shift,
cadence, add), view.py (show, next), calendar.py (ics, mirroring), opens.py (the reading-opens schedule kind).

When things happen (the contract the README documents):

* Meetings come from the plan's rule (weekdays + local time + IANA zone, start, optional end, blackout dates)
  with the DST rules of bot/domain/plans.py, and readings are laid on them in order.
* A reading opens when the previous reading's meeting starts; the first one a week before its meeting (same
  wall-clock time), or at once if that moment has passed. The reading-opens post starts the reading's thread
  (thread key `reading:<reading id>`), and its reminders go to the same thread.
* A reading whose meeting has started is "met" and keeps its time; every change (skip, shift, add, blackout,
  resume) lays the not-yet-met readings on the next meetings the rule allows.
"""

from __future__ import annotations

from bot.events import PlanChanged
from bot.features import Feature
from cogs.plans import calendar, changes, lifecycle, view
from cogs.plans.opens import READING_OPENS

FEATURE = Feature(
    name="plans",
    commands=(
        lifecycle.plan_create,
        lifecycle.plan_confirm,
        lifecycle.plan_discard,
        lifecycle.plan_pause,
        lifecycle.plan_resume,
        lifecycle.plan_cancel,
        view.plan_show,
        view.plan_next,
        calendar.plan_ics_command,
        changes.plan_skip,
        changes.plan_blackout,
        changes.plan_shift,
        changes.plan_add,
        changes.plan_cadence,
    ),
    schedule_kinds=(READING_OPENS,),
    listeners=((PlanChanged, calendar.mirror_changed_plan),),
)
