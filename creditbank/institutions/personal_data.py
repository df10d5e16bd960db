"""Personal data the institutions context seals at rest (see ``kernel.personal_data``): the rows
of a file of students while its account opening runs and its result waits, and the initial
passwords of the accounts it opened until that result file is downloaded once or expires."""

from creditbank.kernel.personal_data import SealedColumn, VaultFiles, declare

OPENING_ROWS_CONTEXT = "institutions.opening.rows"
INITIAL_PASSWORD_CONTEXT = "institutions.opening.initial_password"  # noqa: S105 - a context's name

declare(
    VaultFiles("institutions.AccountOpening", ("source_blob",), context=OPENING_ROWS_CONTEXT),
    SealedColumn("institutions.AccountOpeningRow", "initial_password_enc", context=INITIAL_PASSWORD_CONTEXT),
)
