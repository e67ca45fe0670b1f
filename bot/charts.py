"""Charts as PNG bytes (matplotlib, headless), drawn on a white card so they read in dark and light themes."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence


def member_ticks(members: int, most: int = 7) -> list[int]:
    """Pure: the x-axis ticks of a count of members: whole numbers only (no "0.5 members"), at most `most`."""
    step = max(1, math.ceil(max(members, 1) / (most - 1)))
    return list(range(0, max(members, 1) + 1, step))


def progress_chart(labels: Sequence[str], finished: Sequence[int], members: int, title: str) -> bytes:
    """Horizontal bars: how many members finished each reading, out of the group's members."""
    # A Figure of its own, not pyplot's global state: charts are drawn in worker threads, several at a time.
    from matplotlib.figure import Figure

    count = len(labels)
    height = 1.2 + 0.42 * max(count, 1)
    fig = Figure(figsize=(7.5, height), dpi=110)
    ax = fig.subplots()
    fig.patch.set_facecolor("white")
    ax.set_facecolor("white")
    positions = list(range(count))
    short = [label if len(label) <= 42 else label[:41] + "…" for label in labels]
    ax.barh(positions, [members] * count, color="#e6e8ec", height=0.6)
    ax.barh(positions, finished, color="#3b6fd4", height=0.6)
    for y, value in zip(positions, finished, strict=True):
        ax.text(min(value, members) + members * 0.01, y, f"{value}/{members}", va="center", fontsize=9, color="#222222")
    ax.set_yticks(positions, short, fontsize=9, color="#222222")
    ax.invert_yaxis()
    ax.set_xlim(0, max(members, 1) * 1.12)
    ax.set_xticks(member_ticks(members))
    ax.set_xlabel("members who finished", color="#222222")
    ax.set_title(title, color="#222222", fontsize=11, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors="#222222")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()
