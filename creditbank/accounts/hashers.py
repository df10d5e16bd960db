"""Argon2id with the cost chosen in docs/adr/0003-argon2id-cost.md (settings-tunable)."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class CreditBankArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id (Django's default variant) at ARGON2_* cost; hashes made at another cost are
    upgraded on the next successful login (Django's ``must_update``)."""

    algorithm = "argon2"
    time_cost = int(settings.ARGON2_TIME_COST)
    memory_cost = int(settings.ARGON2_MEMORY_COST_KIB)
    parallelism = int(settings.ARGON2_PARALLELISM)
