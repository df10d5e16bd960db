"""Bar charts of credits drawn with HTML and CSS: no script, no image, readable at phone width.

A chart is a list of bars; each bar is a stack of segments (one per outcome type), drawn on a
track with a zero line: positive segments to its right, negative ones (credits that left in a
year: expired, converted, reversed) to its left. Widths are percentages of the zone they are
drawn in, so the longest stack on each side fills it. The figures themselves are shown as a
table beside the chart (the chart is hidden from screen readers); this module only draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
TENTH = Decimal("0.1")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Segment:
    key: str  # the outcome type (its colour)
    value: Decimal
    width: str  # percent of its zone, one decimal place: "37.5"


@dataclass(frozen=True)
class Bar:
    label: str
    total: Decimal
    negative: tuple[Segment, ...]  # from the zero line leftwards
    positive: tuple[Segment, ...]  # from the zero line rightwards


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    negative_zone: str  # percent of the track left of the zero line
    positive_zone: str
    keys: tuple[str, ...]  # the segments' keys in drawing order (the legend)


def _percent(part: Decimal, whole: Decimal) -> str:
    if whole == ZERO:
        return "0.0"
    return str((abs(part) * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP))


def stacked_bars(rows: Sequence[tuple[str, Mapping[str, Decimal]]], *, keys: Sequence[str] = ()) -> Chart:
    """A chart of ``rows`` (label, {key: value}); segments follow ``keys`` first, then any other
    key in sorted order; zero values draw nothing."""
    order = list(dict.fromkeys([*keys, *sorted({k for _label, values in rows for k in values})]))
    used = [k for k in order if any(values.get(k, ZERO) != ZERO for _label, values in rows)]
    positive_max = max((sum((v for v in values.values() if v > ZERO), ZERO) for _l, values in rows), default=ZERO)
    negative_max = max((sum((-v for v in values.values() if v < ZERO), ZERO) for _l, values in rows), default=ZERO)
    bars = []
    for label, values in rows:
        positive = tuple(
            Segment(k, values[k], _percent(values[k], positive_max)) for k in used if values.get(k, ZERO) > ZERO
        )
        negative = tuple(
            Segment(k, values[k], _percent(values[k], negative_max)) for k in used if values.get(k, ZERO) < ZERO
        )
        bars.append(Bar(label, sum(values.values(), ZERO), negative, positive))
    span = positive_max + negative_max
    negative_zone = _percent(negative_max, span)
    positive_zone = "100.0" if negative_max == ZERO else str(HUNDRED - Decimal(negative_zone))
    return Chart(tuple(bars), negative_zone, positive_zone, tuple(used))
