"""Polls and votes (issue #6): moderators open polls, every member votes, results are frozen when a poll closes.

Commands (the console shows them with `/`):

    poll create "question" "option A" "option B" … [kind:single|multi|ranked] [anonymous] [closes:2d] [quorum:5]
    poll next-book [kind:…] [anonymous] [closes:…] [quorum:…]        options: the library's books
    poll meeting-time "tuesday 19:00" "thursday 18:30" … [kind:…] …    options: weekly meeting slots
    poll show <poll> · poll list · poll close <poll> (moderators)
    vote <poll> <choices>                                               "vote 7 B", "vote 7 A C", "vote 7 B A C"
    unvote <poll>                                                       take one's vote back while the poll is open

A poll closes at its deadline through the scheduler (job kind "poll-close", posting the results to the room)
or when a moderator closes it. Closing tallies the ballots with bot.domain.votes, stores the totals and the
instant-runoff rounds, and for anonymous polls deletes the ballots. Anonymous polls show no running counts
while open (watching a count move would tell who voted what), and exports give their totals only.

Modules: results.py (reading ballots, tallies, the posts), lookup.py, opening.py, voting.py, closing.py (the
deadline job; a next-book poll's winner joins the plan through bot/services/plans.py), export.py.
"""

from __future__ import annotations

from bot.commands import PollRef
from bot.features import Feature
from cogs.polls.closing import close_when_due, poll_close
from cogs.polls.export import complete_polls, export_polls, forget_ballots
from cogs.polls.opening import poll_create, poll_meeting_time, poll_next_book
from cogs.polls.results import CLOSE_JOB
from cogs.polls.voting import poll_list, poll_show, unvote, vote

FEATURE = Feature(
    name="polls",
    commands=(poll_create, poll_next_book, poll_meeting_time, vote, unvote, poll_show, poll_list, poll_close),
    jobs={CLOSE_JOB: close_when_due},
    completers={PollRef: complete_polls},
    forgetters={"poll ballots": forget_ballots},
    exporters={"polls": export_polls},
)
