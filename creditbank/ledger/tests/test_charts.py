"""stacked_bars: the widths of the CSS bar charts (pure)."""

from __future__ import annotations

from decimal import Decimal

from creditbank.ledger.charts import Bar, Chart, Segment, stacked_bars

D = Decimal


def test_positive_bars_fill_their_zone_by_the_longest() -> None:
    chart = stacked_bars([("学历", {"academic_credit": D("3.00")}), ("在线课程（慕课）", {"mooc": D("1.20")})])
    assert chart == Chart(
        bars=(
            Bar("学历", D("3.00"), (), (Segment("academic_credit", D("3.00"), "100.0"),)),
            Bar("在线课程（慕课）", D("1.20"), (), (Segment("mooc", D("1.20"), "40.0"),)),
        ),
        negative_zone="0.0",
        positive_zone="100.0",
        keys=("academic_credit", "mooc"),
    )


def test_stacks_with_negative_years_get_a_zone_left_of_zero() -> None:
    chart = stacked_bars(
        [
            ("2025", {"academic_credit": D("3.00")}),
            ("2026", {"mooc": D("2.00"), "unspecified": D("1.50")}),
            ("2027", {"academic_credit": D("-0.50"), "mooc": D("-2.00")}),
        ],
        keys=["academic_credit", "mooc", "unspecified"],
    )
    # longest positive stack 3.50, longest negative 2.50: the zero line at 2.50 / 6.00 = 41.7 %
    assert (chart.negative_zone, chart.positive_zone) == ("41.7", "58.3")
    assert chart.bars[1] == Bar(
        "2026",
        D("3.50"),
        (),
        (Segment("mooc", D("2.00"), "57.1"), Segment("unspecified", D("1.50"), "42.9")),
    )
    assert chart.bars[2] == Bar(
        "2027",
        D("-2.50"),
        (Segment("academic_credit", D("-0.50"), "20.0"), Segment("mooc", D("-2.00"), "80.0")),
        (),
    )
    assert chart.keys == ("academic_credit", "mooc", "unspecified")


def test_keys_in_the_given_order_then_by_name_and_zeros_draw_nothing() -> None:
    chart = stacked_bars(
        [("2026", {"zeta": D("1"), "award": D("0.00"), "alpha": D("1"), "mooc": D("2")})], keys=["mooc"]
    )
    assert chart.keys == ("mooc", "alpha", "zeta")
    assert [s.key for s in chart.bars[0].positive] == ["mooc", "alpha", "zeta"]


def test_nothing_to_draw() -> None:
    assert stacked_bars([]) == Chart((), "0.0", "100.0", ())
    assert stacked_bars([("2026", {"award": D("0.00")})]) == Chart(
        (Bar("2026", D("0.00"), (), ()),), "0.0", "100.0", ()
    )
