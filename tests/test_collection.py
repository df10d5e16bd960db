"""Collecting the suite twice gives the same test ids, so parallel runs (pytest -n, where every
worker collects for itself and all must agree) stay possible.

The two collections run in processes that differ the way two workers can: their own random keys
(the test settings draw them when the environment has none), another hash seed (the order of
sets), and another second on the clock (a timestamp in a signed value).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Values the test settings draw at random when the environment does not set them.
DRAWN = ("DJANGO_SECRET_KEY", "CREDITBANK_PII_KEYS", "CREDITBANK_BLIND_INDEX_KEYS", "CREDITBANK_VAR_DIR")


def _collect(hash_seed: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in DRAWN and not k.startswith("PYTEST_")}
    env["PYTHONHASHSEED"] = hash_seed
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _ids(process: subprocess.Popen[str]) -> list[str]:
    output = process.communicate(timeout=600)[0]
    assert process.returncode == 0, output
    return [line for line in output.splitlines() if "::" in line]


def test_two_collections_give_the_same_test_ids() -> None:
    first = _collect("1")
    time.sleep(1.1)  # the second one reads another second on the clock
    second = _collect("2")
    ids = _ids(first)
    assert "tests/test_collection.py::test_two_collections_give_the_same_test_ids" in ids
    assert len(ids) == len(set(ids))
    again = _ids(second)
    assert [i for i in ids if i not in again] == []
    assert again == ids
