"""The deployment's policy as one typed object (docs/POLICY.md).

Different credit banks run different procedures; every knob lives in
``settings.CREDITBANK_POLICY`` (read from ``POLICY_*`` environment variables in one place) and
is read here, typed and checked once: an unknown key or a value of the wrong type stops
start-up with a message naming it, rather than failing the first request that reads it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, get_type_hints

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed


@dataclass(frozen=True)
class Policy:
    # Real-name verification
    verification_attempts_per_day: int
    verification_auto_approve: bool
    verification_photo_retention_days: int
    verification_max_upload_bytes: int
    verification_max_pixels: int
    verification_ocr: bool
    verification_ocr_threads: int
    verification_face_check: bool
    identity_provider: str
    # Minors (PIPL art. 31)
    minimum_age: int
    under_minimum_age: str
    # Accounts
    terms_version: str
    login_failures_per_account: int
    login_failures_per_account_window: int
    login_delay_base: int
    login_delay_max: int
    login_failures_per_account_and_address: int
    login_alert_after_failures: int
    login_attempts_per_address: int
    login_attempts_per_address_window: int
    registrations_per_address_per_hour: int
    registration_refused_people_per_address_per_hour: int
    registration_refusals_per_person_per_hour: int
    activation_resends_per_hour: int
    password_resets_per_hour: int
    uploads_per_account_per_hour: int
    # Profiles
    profile_fields_requiring_review: tuple[str, ...]
    # Support
    tickets_per_day: int
    ticket_messages_per_hour: int
    ticket_reopen_days: int
    # Institutions' API clients (client credentials)
    api_client_secret_overlap_hours: int
    client_token_ttl_seconds: int
    client_token_requests_per_client_per_hour: int
    client_token_requests_per_address_per_hour: int
    # Credits
    credits_expire_with_certificate: bool
    # Accounts opened by institutions in bulk
    institution_vouches_identity: bool
    account_opening_max_rows: int
    account_opening_result_hours: int
    account_openings_per_institution_per_hour: int
    # Conversion: "once" (a converted outcome is used once) or "per_programme" (several
    # programmes may recognise one outcome, never one programme twice)
    outcome_reuse: str

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> Policy:
        hints = get_type_hints(cls)
        names = {f.name for f in fields(cls)}
        given = {key.lower(): value for key, value in raw.items()}
        unknown = sorted(k.upper() for k in given if k not in names)
        missing = sorted(n.upper() for n in names if n not in given)
        if unknown or missing:
            raise ImproperlyConfigured(f"CREDITBANK_POLICY: unknown keys {unknown}, missing keys {missing}")
        values: dict[str, Any] = {}
        for name in names:
            value, kind = given[name], hints[name]
            if kind is bool and not isinstance(value, bool):
                raise ImproperlyConfigured(f"CREDITBANK_POLICY[{name.upper()!r}] must be true or false")
            if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ImproperlyConfigured(f"CREDITBANK_POLICY[{name.upper()!r}] must be a whole number >= 0")
            if kind is str and not isinstance(value, str):
                raise ImproperlyConfigured(f"CREDITBANK_POLICY[{name.upper()!r}] must be text")
            if name == "outcome_reuse" and value not in ("once", "per_programme"):
                raise ImproperlyConfigured("CREDITBANK_POLICY['OUTCOME_REUSE'] must be once or per_programme")
            if kind == tuple[str, ...]:
                value = tuple(str(v) for v in value)
            values[name] = value
        return cls(**values)

    def replace(self, **changes: Any) -> Policy:
        return dataclasses.replace(self, **changes)


@cache
def policy() -> Policy:
    """The deployment's policy (cached; rebuilt when the setting changes, e.g. in tests)."""
    return Policy.from_mapping(settings.CREDITBANK_POLICY)


def _reset(*, setting: str, **_: object) -> None:
    if setting == "CREDITBANK_POLICY":
        policy.cache_clear()


setting_changed.connect(_reset)
