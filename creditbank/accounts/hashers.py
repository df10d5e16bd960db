"""Argon2id with the cost chosen in docs/adr/0003-argon2id-cost.md (settings-tunable)."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class CreditBankArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"

    @property  # type: ignore[override]
    def time_cost(self) -> int:
        return int(settings.ARGON2_TIME_COST)

    @property  # type: ignore[override]
    def memory_cost(self) -> int:
        return int(settings.ARGON2_MEMORY_COST_KIB)

    @property  # type: ignore[override]
    def parallelism(self) -> int:
        return int(settings.ARGON2_PARALLELISM)
