import os

import pytest

from creditbank.kernel.crypto import BlindIndexer, CryptoError, FieldCipher, Keyring


def ring(*kids: str) -> Keyring:
    return Keyring.from_mapping({k: os.urandom(32) for k in kids})


def test_round_trip_and_random_nonce() -> None:
    c = FieldCipher(ring("k1"))
    a = c.encrypt("110105194912310021", context="id")
    b = c.encrypt("110105194912310021", context="id")
    assert a != b
    assert "110105" not in a
    assert c.decrypt(a, context="id") == "110105194912310021"
    assert FieldCipher.key_id_of(a) == "k1"


def test_context_binds_the_ciphertext() -> None:
    c = FieldCipher(ring("k1"))
    token = c.encrypt("13812345678", context="phone")
    with pytest.raises(CryptoError):
        c.decrypt(token, context="id")


def test_tampering_is_detected() -> None:
    c = FieldCipher(ring("k1"))
    token = c.encrypt("secret", context="x")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(CryptoError):
        c.decrypt(flipped, context="x")
    blob = bytearray(c.encrypt_bytes(b"photo", context="p"))
    blob[-1] ^= 1
    with pytest.raises(CryptoError):
        c.decrypt_bytes(bytes(blob), context="p")


def test_any_single_damaged_character_is_a_crypto_error() -> None:
    """Whatever one character of a stored token becomes, opening it either fails with
    CryptoError (never another exception) or, where the character only carried padding bits,
    still gives the original value."""
    c = FieldCipher(ring("k1"))
    token = c.encrypt("13812345678", context="phone")
    replacements = "Aa0_-=.!é \x00"
    outcomes = set()
    for i in range(len(token)):
        for ch in replacements:
            if ch == token[i]:
                continue
            damaged = token[:i] + ch + token[i + 1 :]
            try:
                value = c.decrypt(damaged, context="phone")
            except CryptoError:
                outcomes.add("refused")
            else:
                assert value == "13812345678", (i, ch)
    assert outcomes == {"refused"}
    for damaged in (token[:-1], token + "A", token[: len(token) // 2], "", "v1", "v1.k1.", "v1.zz.AAAA"):
        with pytest.raises(CryptoError):
            c.decrypt(damaged, context="phone")


def test_rotation_old_key_still_opens_new_key_seals() -> None:
    old = ring("k1")
    token = FieldCipher(old).encrypt("v", context="c")
    blob = FieldCipher(old).encrypt_bytes(b"data", context="c")
    rotated = Keyring.from_mapping({"k2": os.urandom(32), "k1": old.keys["k1"]})
    c = FieldCipher(rotated)
    assert c.decrypt(token, context="c") == "v"
    assert c.decrypt_bytes(blob, context="c") == b"data"
    assert FieldCipher.key_id_of(c.encrypt("v", context="c")) == "k2"
    assert FieldCipher.blob_key_id(c.encrypt_bytes(b"d", context="c")) == "k2"
    # once k1 is removed, its ciphertexts no longer open
    with pytest.raises(CryptoError):
        FieldCipher(Keyring.from_mapping({"k2": rotated.keys["k2"]})).decrypt(token, context="c")


def test_blind_index_is_keyed_deterministic_and_has_candidates() -> None:
    r = ring("b2", "b1")
    ix = BlindIndexer(r)
    assert ix.index("x", context="id") == ix.index("x", context="id")
    assert ix.index("x", context="id") != ix.index("x", context="phone")
    assert ix.index("x", context="id") != BlindIndexer(ring("b2")).index("x", context="id")
    cands = ix.candidates("x", context="id")
    assert len(cands) == 2
    assert cands[0] == ix.index("x", context="id")


def test_keyring_rejects_bad_keys() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring.from_mapping({"k": b"short"})
    with pytest.raises(ValueError, match="at least one"):
        Keyring.from_mapping({})
