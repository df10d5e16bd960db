"""Writes of real-name verification, one module per step; callers import them from here.

- ``submission``: the learner submits consent and the two ID card photos (``verification_submit``);
- ``prechecks``: the automatic checks of a submitted attempt and the photo-reuse index;
- ``decisions``: a reviewer decides, the learner withdraws, staff reset, a changed name invalidates;
- ``photos``: the photos after submission (purge, the audited reviewer view) and the audited reveal of PII;
- ``vouching``: an institution that opened the account vouches for its identity (where the policy allows it).
"""

from creditbank.identity.services.decisions import (
    verification_decide,
    verification_invalidate,
    verification_staff_reset,
    verification_withdraw,
)
from creditbank.identity.services.photos import (
    verification_photo_for_reviewer,
    verification_purge_photos,
    verification_reveal_pii,
)
from creditbank.identity.services.prechecks import verification_portrait_hashes_recompute, verification_precheck
from creditbank.identity.services.submission import CONSENT_VERSION, ID_CARD_ASPECT, SIDE_NAMES, verification_submit
from creditbank.identity.services.vouching import verification_vouch

__all__ = [
    "CONSENT_VERSION",
    "ID_CARD_ASPECT",
    "SIDE_NAMES",
    "verification_decide",
    "verification_invalidate",
    "verification_photo_for_reviewer",
    "verification_portrait_hashes_recompute",
    "verification_precheck",
    "verification_purge_photos",
    "verification_reveal_pii",
    "verification_staff_reset",
    "verification_submit",
    "verification_vouch",
    "verification_withdraw",
]
