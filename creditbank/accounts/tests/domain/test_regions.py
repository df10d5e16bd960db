"""Tests of the GB/T 2260 division table and its look-ups (plain pytest, no Django)."""

from __future__ import annotations

from importlib import resources

import pytest

from creditbank.accounts.domain.regions import (
    PROVINCE_PREFIXES,
    Region,
    RegionMatch,
    all_regions,
    lookup_region,
    parse_regions,
    province_of,
)

BEIJING = Region(code="110000", name="北京市", historical=False)


def _data_text() -> str:
    return resources.files("creditbank.accounts").joinpath("data", "regions.tsv").read_text(encoding="utf-8")


def test_abolished_code_is_known_and_historical() -> None:
    assert lookup_region("110103") == (
        RegionMatch.KNOWN,
        Region(code="110103", name="崇文区", historical=True),
    )


def test_new_code_is_known_and_current() -> None:
    assert lookup_region("350405") == (
        RegionMatch.KNOWN,
        Region(code="350405", name="沙县区", historical=False),
    )


def test_code_replaced_by_a_new_one_is_historical() -> None:
    # 沙县 (350427) became 沙县区 (350405).
    assert lookup_region("350427") == (
        RegionMatch.KNOWN,
        Region(code="350427", name="沙县", historical=True),
    )


def test_current_districts() -> None:
    assert lookup_region("110105") == (
        RegionMatch.KNOWN,
        Region(code="110105", name="朝阳区", historical=False),
    )
    assert lookup_region("110101") == (
        RegionMatch.KNOWN,
        Region(code="110101", name="东城区", historical=False),
    )


def test_province_code_itself_is_known() -> None:
    assert lookup_region("110000") == (RegionMatch.KNOWN, BEIJING)


def test_unlisted_code_in_known_province_returns_the_province() -> None:
    assert lookup_region("119999") == (RegionMatch.PROVINCE_ONLY, BEIJING)


@pytest.mark.parametrize("code", ["990101", "000000", "100000", "840000", "910101"])
def test_unknown_province(code: str) -> None:
    assert lookup_region(code) == (RegionMatch.UNKNOWN_PROVINCE, None)
    assert province_of(code) is None


def test_taiwan_hong_kong_macau() -> None:
    assert lookup_region("710000") == (
        RegionMatch.KNOWN,
        Region(code="710000", name="台湾省", historical=False),
    )
    assert lookup_region("810000")[1] == Region("810000", "香港特别行政区", False)
    assert lookup_region("820000")[1] == Region("820000", "澳门特别行政区", False)
    assert lookup_region("810101")[0] is RegionMatch.PROVINCE_ONLY


def test_province_of() -> None:
    assert province_of("110105") == BEIJING
    assert province_of("119999") == BEIJING
    assert province_of("350405") == Region(code="350000", name="福建省", historical=False)


@pytest.mark.parametrize(
    "code",
    ["", "11010", "1101011", "11010a", "11010X", " 110101", "110101\n", "１１０１０１", "١١٠١٠١"],
)
def test_malformed_input_raises_value_error(code: str) -> None:
    with pytest.raises(ValueError):
        lookup_region(code)
    with pytest.raises(ValueError):
        province_of(code)


def test_non_string_raises_value_error() -> None:
    with pytest.raises(ValueError):
        lookup_region(110101)  # type: ignore[arg-type]


def test_every_province_has_its_entry_and_every_code_a_province() -> None:
    regions = all_regions()
    assert len(PROVINCE_PREFIXES) == 35  # 34 divisions + 83 (residence permits of Taiwan residents)
    for prefix in PROVINCE_PREFIXES:
        province = regions[prefix + "0000"]
        assert province.historical is False
    assert {code[:2] for code in regions} == PROVINCE_PREFIXES


def test_table_size_and_shape() -> None:
    regions = all_regions()
    current = sum(not r.historical for r in regions.values())
    historical = sum(r.historical for r in regions.values())
    assert current > 3000
    assert historical > 3000
    assert all(code == r.code for code, r in regions.items())


def test_data_file_is_sorted_with_header_and_compact() -> None:
    raw = resources.files("creditbank.accounts").joinpath("data", "regions.tsv").read_bytes()
    assert len(raw) < 1_000_000
    text = _data_text()
    lines = text.splitlines()
    assert lines[0].startswith("# ")
    assert "Generated" in lines[0]
    codes = [line.split("\t")[0] for line in lines if not line.startswith("#")]
    assert codes == sorted(set(codes))


def test_all_regions_is_loaded_once() -> None:
    assert all_regions() is all_regions()


def test_parse_regions_rejects_bad_lines() -> None:
    assert parse_regions("# header\n\n110000\t北京市\tcurrent\n") == {"110000": BEIJING}
    for bad in (
        "110000\t北京市\n",
        "11000\t北京市\tcurrent\n",
        "110000\t\tcurrent\n",
        "110000\t北京市\tgone\n",
        "110000\t北京市\tcurrent\n110000\t北京市\tcurrent\n",
    ):
        with pytest.raises(ValueError):
            parse_regions(bad)
