"""Personal data the accounts context seals at rest (see ``kernel.personal_data``)."""

from creditbank.kernel.personal_data import SealedColumn, declare

ID_CONTEXT = "accounts.user.id_number"
PHONE_CONTEXT = "accounts.user.phone"

declare(
    SealedColumn("accounts.User", "id_number_enc", context=ID_CONTEXT, index_field="id_number_index"),
    SealedColumn("accounts.User", "phone_enc", context=PHONE_CONTEXT, index_field="phone_index"),
)
