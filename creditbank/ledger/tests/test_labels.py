"""Every kind and every outcome type a filter takes has a label in both languages."""

from __future__ import annotations

from django.utils import translation

from creditbank.ledger.domain.postings import Kind
from creditbank.ledger.labels import KIND_LABELS, TYPE_LABELS, kind_label, type_label
from creditbank.ledger.selectors import ENTRY_TYPES


def test_every_kind_and_type_has_a_label() -> None:
    assert set(KIND_LABELS) == set(Kind)
    assert list(TYPE_LABELS) == list(ENTRY_TYPES)


def test_labels_in_both_languages() -> None:
    with translation.override("zh-hans"):
        assert [type_label(t) for t in ENTRY_TYPES] == [
            "学历教育课程学分",
            "职业资格/技能等级证书",
            "非学历培训",
            "在线课程（慕课）",
            "工作经历",
            "获奖",
            "其他",
        ]
        assert kind_label("deposit") == "存入"
    with translation.override("en"):
        assert type_label("") == "Other"
        assert type_label("new_type") == "new_type"  # a type the contract does not name shows as its code
        assert kind_label("expiry") == "Expired"
