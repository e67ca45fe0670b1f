from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.timeutil import (
    DurationTooLong,
    TimeInputError,
    format_duration,
    from_db,
    parse_date,
    parse_duration,
    parse_instant,
    parse_zone,
    to_db,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", timedelta(days=2)),
        ("+3d", timedelta(days=3)),
        ("-1d", timedelta(days=-1)),
        ("24h", timedelta(hours=24)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90 minutes", timedelta(minutes=90)),
        ("1w 2d", timedelta(days=9)),
        ("1 hour and 5 minutes", timedelta(hours=1, minutes=5)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "2x", "1h soon", "d2"])
def test_parse_duration_rejects_with_a_sentence(text: str) -> None:
    with pytest.raises(TimeInputError, match="as a duration"):
        parse_duration(text)


def test_format_duration_round_trips() -> None:
    for delta in (timedelta(days=1, hours=2), timedelta(minutes=5), timedelta(0)):
        assert parse_duration(format_duration(delta)) == delta


def test_zone_names_and_suggestions() -> None:
    assert parse_zone("europe/berlin") == ZoneInfo("Europe/Berlin")
    assert parse_zone("UTC") == ZoneInfo("UTC")
    with pytest.raises(TimeInputError, match="did you mean Europe/Berlin"):
        parse_zone("Europe/Berln")


def test_instants_are_aware_and_stored_in_utc() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    when = parse_instant("2026-07-01T19:00", berlin)
    assert when == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    assert to_db(when) == "2026-07-01T17:00:00Z"
    assert from_db(to_db(when)) == when
    with pytest.raises(ValueError):
        to_db(datetime(2026, 1, 1))  # noqa: DTZ001 - the point is that naive values are refused
    with pytest.raises(TimeInputError):
        parse_date("1st of May")


def test_absurd_durations_and_placeless_zones_are_sentences() -> None:
    with pytest.raises(DurationTooLong, match="longer than any calendar"):
        parse_duration("99999999999999d")
    for name in ("Factory", "localtime"):
        with pytest.raises(TimeInputError, match="not the time zone of a place"):
            parse_zone(name)
