from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.progress import (
    Forecast,
    current_position,
    furthest_reading,
    is_behind,
    member_progress,
    pace_forecast,
    progress_bar,
    readings_behind,
    streak,
)

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 1, 6, 18, tzinfo=UTC)  # a Tuesday
MEETINGS = [START + timedelta(weeks=i) for i in range(10)]  # reading i is discussed at MEETINGS[i]


def before(i: int, hours: int = 2) -> datetime:
    return MEETINGS[i] - timedelta(hours=hours)


def test_current_position_is_the_first_gap() -> None:
    assert current_position({}, 10) == 0
    assert current_position({0: before(0), 1: before(1), 3: before(3)}, 10) == 2
    assert current_position({i: before(i) for i in range(10)}, 10) == 10
    assert furthest_reading({}) == -1
    assert furthest_reading({0: before(0), 3: before(3)}) == 3


def test_streak_counts_back_from_the_latest_past_meeting() -> None:
    now = MEETINGS[4] + timedelta(hours=3)  # meetings 0..4 have happened
    done = {i: before(i) for i in range(5)}
    assert streak(done, MEETINGS, now) == 5
    done[2] = MEETINGS[2] + timedelta(days=1)  # finished late
    assert streak(done, MEETINGS, now) == 2
    del done[4]
    assert streak(done, MEETINGS, now) == 0


def test_streak_ignores_meetings_still_ahead_and_credits_reading_ahead_later() -> None:
    done = {0: before(0), 1: before(1), 2: before(1, hours=1)}  # reading 2 done a week early
    assert streak(done, MEETINGS, MEETINGS[1] + timedelta(hours=1)) == 2
    assert streak(done, MEETINGS, MEETINGS[2]) == 3  # the meeting instant itself has happened
    assert streak(done, MEETINGS, MEETINGS[3] + timedelta(minutes=1)) == 0
    assert streak({0: MEETINGS[0]}, MEETINGS, MEETINGS[0]) == 1  # finishing as it starts counts


def test_pace_forecast_from_recent_completions() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    # Four readings over the last three weeks: three completions after the earliest in 3 weeks → 1/week.
    done = {i: now - timedelta(weeks=3 - i) for i in range(4)}
    forecast = pace_forecast(done, 10, now, BERLIN)
    assert isinstance(forecast, Forecast)
    assert forecast.finish_on == date(2026, 4, 12)  # 6 left at one a week
    assert forecast.readings_per_week == pytest.approx(1.0)


def test_pace_slips_when_a_member_stops_reading() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    done = {i: now - timedelta(weeks=3 - i) for i in range(4)}
    later = pace_forecast(done, 10, now + timedelta(weeks=1), BERLIN, window=timedelta(days=60))
    assert later is not None and later.readings_per_week == pytest.approx(0.75)  # 3 in the 4 weeks since
    edge = pace_forecast(done, 10, now + timedelta(weeks=1), BERLIN)  # the first completion left the window
    assert edge is not None and edge.readings_per_week == pytest.approx(2 / 3)


def test_pace_forecast_needs_enough_data() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert pace_forecast({}, 10, now, BERLIN) is None
    assert pace_forecast({0: now - timedelta(days=3)}, 10, now, BERLIN) is None
    burst = {0: now - timedelta(hours=2), 1: now - timedelta(hours=1)}
    assert pace_forecast(burst, 10, now, BERLIN) is None  # less than a day of evidence
    old = {0: now - timedelta(days=60), 1: now - timedelta(days=50)}
    assert pace_forecast(old, 10, now, BERLIN) is None  # nothing recent
    assert pace_forecast({}, 0, now, BERLIN) is None


def test_pace_forecast_when_finished_is_the_last_completion_date() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    done = {0: now - timedelta(days=9), 1: datetime(2026, 2, 27, 23, 30, tzinfo=UTC)}
    forecast = pace_forecast(done, 2, now, BERLIN)
    assert forecast is not None and forecast.finish_on == date(2026, 2, 28)  # 00:30 in Berlin


def test_behind_before_a_meeting() -> None:
    done = {0: before(0), 2: before(2)}
    assert readings_behind(done, MEETINGS, 2) == (1,)
    assert is_behind(done, MEETINGS, 2)
    assert not is_behind(done, MEETINGS, 0)
    assert readings_behind(done, MEETINGS, 3) == (1, 3)
    with pytest.raises(ValueError):
        readings_behind(done, MEETINGS, 10)


@pytest.mark.parametrize(
    ("done", "total", "bar"),
    [
        (0, 10, "░░░░░░░░░░"),
        (3, 10, "███░░░░░░░"),
        (10, 10, "██████████"),
        (1, 100, "█░░░░░░░░░"),
        (99, 100, "█████████░"),
        (0, 0, "░░░░░░░░░░"),
        (12, 10, "██████████"),
    ],
)
def test_progress_bar(done: int, total: int, bar: str) -> None:
    assert progress_bar(done, total) == bar


@given(done=st.integers(0, 500), extra=st.integers(0, 500), width=st.integers(1, 40))
def test_progress_bar_properties(done: int, extra: int, width: int) -> None:
    total = done + extra
    bar = progress_bar(done, total, width)
    assert len(bar) == width and set(bar) <= {"█", "░"}
    filled = bar.count("█")
    assert (filled == width) == (total > 0 and done == total)
    if width > 1:  # one cell cannot show both "started" and "not finished"
        assert (filled == 0) == (done == 0)


def test_member_progress_card() -> None:
    now = MEETINGS[3] + timedelta(hours=1)
    done = {0: before(0), 1: before(1), 3: before(3)}
    card = member_progress(done, MEETINGS, now, BERLIN)
    assert card.total == 10 and card.done_count == 3
    assert card.next_reading == 2 and card.furthest == 3
    assert card.streak == 1
    assert card.behind == (2,)
    assert card.bar == "███░░░░░░░"
    assert card.forecast is not None


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(ValueError):
        current_position({11: before(0)}, 10)
    with pytest.raises(ValueError):
        streak({0: datetime(2026, 1, 1)}, MEETINGS, START)  # noqa: DTZ001 - checking the guard
