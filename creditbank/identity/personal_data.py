"""Personal data real-name verification seals at rest (see ``kernel.personal_data``)."""

from creditbank.kernel.personal_data import VaultFiles, declare

PHOTO_CONTEXT = "identity.verification.photo"

declare(VaultFiles("identity.VerificationAttempt", ("front_blob", "back_blob"), context=PHOTO_CONTEXT))
