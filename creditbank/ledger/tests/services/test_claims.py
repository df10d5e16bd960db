"""Conversion claims: an outcome converts once into a programme (and, by default, once at all);
the database's unique constraints decide, and their refusal is a DomainError, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from creditbank.kernel.errors import DomainError
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import ConversionClaim, CreditAccount
from creditbank.ledger.selectors import conversion_claims_of
from creditbank.ledger.services import conversion_claims_release, conversion_claims_take

pytestmark = pytest.mark.django_db

CS = "demo-univ:CS"
EE = "demo-univ:EE"


@pytest.fixture
def learner(make_learner: Any) -> Any:
    return make_learner()


def _take(user: Any, application_id: int, programme: str, outcome_ids: list[int], exclusive: bool = True) -> Any:
    return conversion_claims_take(
        user=user, application_id=application_id, programme=programme, outcome_ids=outcome_ids, exclusive=exclusive
    )


def _claims() -> list[tuple[Any, ...]]:
    return list(
        ConversionClaim.objects.order_by("pk").values_list(
            "outcome_id", "programme", "application_id", "exclusive", "active", "released_at"
        )
    )


def _refused(user: Any, *args: Any, **kwargs: Any) -> DomainError:
    before = _claims()
    with pytest.raises(DomainError) as caught:
        _take(user, *args, **kwargs)
    assert _claims() == before
    return caught.value


def test_claims_taken_and_listed(learner: Any) -> None:
    claims = _take(learner, 41, CS, [2, 1])
    assert [(c.outcome_id, c.programme, c.application_id, c.exclusive, c.active) for c in claims] == [
        (2, CS, 41, 2, True),
        (1, CS, 41, 1, True),
    ]
    assert all(c.pk and c.released_at is None for c in claims)
    assert CreditAccount.objects.filter(user=learner).exists()  # its row was locked
    _take(learner, 42, EE, [3], exclusive=False)
    assert conversion_claims_of(learner) == [
        {"programme": CS, "outcome_id": 1, "application_id": 41},
        {"programme": CS, "outcome_id": 2, "application_id": 41},
        {"programme": EE, "outcome_id": 3, "application_id": 42},
    ]


def test_an_outcome_used_once_is_refused_for_any_other_programme(learner: Any) -> None:
    _take(learner, 41, CS, [1, 2])
    refused = _refused(learner, 42, EE, [3, 2])
    assert (refused.code, refused.status, refused.extra) == (
        ErrorCode.CONVERSION_CLAIM_TAKEN,
        409,
        {"outcome_ids": [2]},
    )
    refused = _refused(learner, 42, CS, [1])
    assert (refused.code, refused.extra) == (ErrorCode.CONVERSION_CLAIM_TAKEN, {"outcome_ids": [1]})
    _take(learner, 42, EE, [3])


def test_where_several_programmes_may_recognise_an_outcome_each_does_once(learner: Any) -> None:
    _take(learner, 41, CS, [1], exclusive=False)
    _take(learner, 42, EE, [1], exclusive=False)
    refused = _refused(learner, 43, CS, [1, 5], exclusive=False)
    assert (refused.code, refused.extra) == (ErrorCode.CONVERSION_CLAIM_TAKEN, {"outcome_ids": [1]})
    assert [(c["programme"], c["outcome_id"]) for c in conversion_claims_of(learner)] == [(CS, 1), (EE, 1)]


def test_a_claim_taken_under_the_other_policy_holds(learner: Any) -> None:
    """The policy changed while claims were active: a used-once claim keeps the outcome from any
    programme, and a used-once claim is refused while the outcome serves another programme."""
    _take(learner, 41, CS, [1], exclusive=False)
    assert _refused(learner, 42, EE, [1], exclusive=True).extra == {"outcome_ids": [1]}
    _take(learner, 43, CS, [5], exclusive=True)
    assert _refused(learner, 44, EE, [5], exclusive=False).extra == {"outcome_ids": [5]}


def test_released_claims_stay_as_the_record_and_free_the_outcome(learner: Any) -> None:
    _take(learner, 41, CS, [1, 2])
    assert conversion_claims_release(application_id=41) == 2
    rows = _claims()
    assert [(r[0], r[4]) for r in rows] == [(1, False), (2, False)]
    assert all(r[5] is not None for r in rows)
    assert conversion_claims_of(learner) == []
    assert conversion_claims_release(application_id=41) == 0
    _take(learner, 42, EE, [1])
    assert conversion_claims_of(learner) == [{"programme": EE, "outcome_id": 1, "application_id": 42}]


def test_the_database_refusal_becomes_the_domain_error_inside_a_transaction(learner: Any) -> None:
    """No Python check precedes the insert for the ordinary case: the unique constraint refuses
    it in a savepoint, and the caller's transaction goes on."""
    _take(learner, 41, CS, [1])
    with transaction.atomic():
        with pytest.raises(DomainError) as caught:
            _take(learner, 42, CS, [1])
        assert caught.value.code == ErrorCode.CONVERSION_CLAIM_TAKEN
        _take(learner, 42, CS, [2])  # the transaction is still usable
    assert [c["outcome_id"] for c in conversion_claims_of(learner)] == [1, 2]


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"outcome_id": 1, "programme": CS, "exclusive": None}, "ledger_claim_outcome_programme_active"),
        ({"outcome_id": 1, "programme": EE, "exclusive": 1}, "ledger_claim_outcome_exclusive_active"),
        ({"outcome_id": 7, "programme": EE, "exclusive": 8}, "ledger_claim_exclusive_is_the_outcome"),
        ({"outcome_id": 7, "programme": ""}, "ledger_claim_names_a_programme"),
        ({"outcome_id": 7, "programme": CS, "active": False}, "ledger_claim_released_when_inactive"),
    ],
)
def test_the_database_itself_refuses_what_the_service_would(
    learner: Any, fields: dict[str, Any], constraint: str
) -> None:
    _take(learner, 41, CS, [1])
    unique = constraint.endswith("_active")
    # SQLite names the columns of a unique constraint it enforces, PostgreSQL names the index
    expected = "UNIQUE constraint failed" if unique and connection.vendor == "sqlite" else constraint
    with pytest.raises(IntegrityError, match=expected), transaction.atomic():
        ConversionClaim.objects.create(user=learner, application_id=42, **fields)
    assert len(_claims()) == 1


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((41, "CS", [1]), ErrorCode.PROGRAMME_KEY_INVALID),
        ((41, CS, []), ErrorCode.CONVERSION_INPUT_INVALID),
        ((41, CS, [1, 1]), ErrorCode.CONVERSION_INPUT_INVALID),
        ((41, CS, [0]), ErrorCode.CONVERSION_INPUT_INVALID),
        ((41, CS, ["1"]), ErrorCode.CONVERSION_INPUT_INVALID),
        ((-1, CS, [1]), ErrorCode.CONVERSION_INPUT_INVALID),
    ],
)
def test_input_refusals(learner: Any, args: tuple[Any, ...], code: ErrorCode) -> None:
    refused = _refused(learner, *args)
    assert (refused.code, refused.status) == (code, 400)
