"""learners_find: learner_find for many references at once, in at most two queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import next_identity
from creditbank.accounts.selectors import learner_find, learners_find

pytestmark = pytest.mark.django_db


def test_it_answers_what_learner_find_answers(make_learner: Any) -> None:
    one, two = next_identity(), next_identity()
    a, b = make_learner(**one), make_learner(**two)
    spaced = f"{two['id_number'][:6]} {two['id_number'][6:14]} {two['id_number'][14:]}"
    refs = [
        (a.account_no, ""),
        ("", two["id_number"]),
        ("", spaced),  # an ID number as people write it
        ("", two["id_number"].lower()),
        (a.account_no, two["id_number"]),  # the account number decides
        ("100000000008", ""),  # a valid number nobody holds
        ("12345", ""),  # not an account number
        ("100000000008", two["id_number"]),  # an account number given and not found: not found
        ("", ""),
        ("", "11010519900307123"),  # too short
    ]
    with CaptureQueriesContext(connection) as queries:
        found = learners_find(refs)
    assert len(queries.captured_queries) == 2
    assert found == {ref: user.pk for ref in refs if (user := learner_find(account_no=ref[0], id_number=ref[1]))}
    assert found == {refs[0]: a.pk, refs[1]: b.pk, refs[2]: b.pk, refs[3]: b.pk, refs[4]: a.pk}


def test_nothing_asked_is_no_query() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert learners_find([("", ""), ("bad", "")]) == {}
    assert len(queries.captured_queries) == 0
