"""``kernel.pii.seal``: the one way a personal value becomes its ciphertext, blind index and masked form."""

from __future__ import annotations

import dataclasses

import pytest

from creditbank.kernel.crypto import CryptoError
from creditbank.kernel.masking import mask_id_number, mask_phone
from creditbank.kernel.personal_data import UndeclaredContext
from creditbank.kernel.pii import Sealed, cipher, indexer, seal

PHONE_CONTEXT = "accounts.user.phone"  # declared by the accounts context at start-up
ID_CONTEXT = "accounts.user.id_number"


def test_seal_gives_ciphertext_index_and_mask() -> None:
    sealed = seal("+8613812345678", context=PHONE_CONTEXT, mask=mask_phone)

    assert cipher().decrypt(sealed.ciphertext, context=PHONE_CONTEXT) == "+8613812345678"
    assert "13812345678" not in sealed.ciphertext
    assert sealed.index == indexer().index("+8613812345678", context=PHONE_CONTEXT)
    assert sealed.masked == "138****5678"


def test_the_ciphertext_is_bound_to_its_context() -> None:
    sealed = seal("11010519491231002X", context=ID_CONTEXT, mask=mask_id_number)

    assert sealed.masked == "110105********002X"
    assert cipher().decrypt(sealed.ciphertext, context=ID_CONTEXT) == "11010519491231002X"
    with pytest.raises(CryptoError):
        cipher().decrypt(sealed.ciphertext, context=PHONE_CONTEXT)


def test_two_seals_of_one_value_share_the_index_not_the_ciphertext() -> None:
    first = seal("+8613812345678", context=PHONE_CONTEXT, mask=mask_phone)
    second = seal("+8613812345678", context=PHONE_CONTEXT, mask=mask_phone)

    assert first.index == second.index
    assert first.ciphertext != second.ciphertext


def test_without_index_or_mask() -> None:
    sealed = seal("+8613812345678", context=PHONE_CONTEXT, index=False)

    assert sealed.index is None
    assert sealed.masked == ""
    assert cipher().decrypt(sealed.ciphertext, context=PHONE_CONTEXT) == "+8613812345678"


def test_an_empty_value_seals_to_empty_columns() -> None:
    assert seal("", context=PHONE_CONTEXT, mask=mask_phone) == Sealed(ciphertext="", index=None, masked="")


@pytest.mark.parametrize("value", ["+8613812345678", ""], ids=["value", "empty"])
def test_an_undeclared_context_is_refused(value: str) -> None:
    with pytest.raises(UndeclaredContext):
        seal(value, context="nobody.declared.this", mask=mask_phone)


def test_sealed_is_immutable() -> None:
    sealed = seal("+8613812345678", context=PHONE_CONTEXT, mask=mask_phone)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sealed.masked = "x"  # type: ignore[misc]
