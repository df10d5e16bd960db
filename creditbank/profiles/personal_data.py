"""Personal data the profiles context seals at rest (see ``kernel.personal_data``)."""

from creditbank.kernel.personal_data import SealedColumn, VaultFiles, declare

EMERGENCY_PHONE_CONTEXT = "profiles.profile.emergency_contact_phone"
#: A locked field's requested value (name, gender, ID number), and a policy-reviewed field's (JSON).
REQUEST_VALUE_CONTEXT = "profiles.change_request.locked_value"
REVIEWED_VALUE_CONTEXT = "profiles.change_request.value"
CONTACT_CHANGE_CONTEXTS = {"email": "profiles.contact_change.email", "phone": "profiles.contact_change.phone"}
PROOF_CONTEXT = "profiles.change_request.proof"
EVIDENCE_CONTEXT = "profiles.history.evidence"

declare(
    SealedColumn("profiles.Profile", "emergency_contact_phone_enc", context=EMERGENCY_PHONE_CONTEXT),
    SealedColumn(
        "profiles.ChangeRequest",
        "new_value_enc",
        context_field="kind",
        contexts_by_value={"locked": REQUEST_VALUE_CONTEXT, "reviewed": REVIEWED_VALUE_CONTEXT},
    ),
    SealedColumn(
        "profiles.ContactChange", "new_value_enc", context_field="kind", contexts_by_value=CONTACT_CHANGE_CONTEXTS
    ),
    VaultFiles("profiles.ChangeRequestProof", ("blob",), context=PROOF_CONTEXT),
    VaultFiles("profiles.EducationEntry", ("evidence_blob",), context=EVIDENCE_CONTEXT),
    VaultFiles("profiles.WorkEntry", ("evidence_blob",), context=EVIDENCE_CONTEXT),
)
