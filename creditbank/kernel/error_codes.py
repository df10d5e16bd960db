"""Every error code the project can answer with: the ``ErrorCode`` enums of all contexts.

Each installed app under ``creditbank`` that raises refusals has a public, pure ``errors``
module with a ``StrEnum`` named ``ErrorCode`` (the kernel's generic codes are in
``creditbank.kernel.errors``). They are found through Django's app registry, so a context added
to ``INSTALLED_APPS`` is collected without editing this module. The kernel is the lowest layer
and imports no context statically; like Django's own autodiscovery it imports the modules by
name when asked. docs/API-ERRORS.md lists exactly these codes (tests/test_error_codes.py).
"""

from __future__ import annotations

import importlib
import importlib.util
from enum import StrEnum

from django.apps import apps

CONTAINER = "creditbank"
MODULE = "errors"
ENUM = "ErrorCode"


def error_code_enums() -> dict[str, type[StrEnum]]:
    """The ``ErrorCode`` enum of every context that has an ``errors`` module, by app name
    (``creditbank.accounts``), in the order of ``INSTALLED_APPS``."""
    found: dict[str, type[StrEnum]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith(CONTAINER + "."):
            continue
        module_name = f"{config.name}.{MODULE}"
        if importlib.util.find_spec(module_name) is None:
            continue  # a context that refuses nothing (audit, portal …)
        enum = getattr(importlib.import_module(module_name), ENUM, None)
        if not (isinstance(enum, type) and issubclass(enum, StrEnum)):
            raise TypeError(f"{module_name} must define {ENUM} as a StrEnum")
        found[config.name] = enum
    return found


def all_error_codes() -> frozenset[str]:
    """Every code (the plain strings the API answers with) of every context."""
    return frozenset(member.value for enum in error_code_enums().values() for member in enum)
