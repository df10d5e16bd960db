"""Bulk account opening (批量开户): an institution uploads a file of its students; each new
person gets an activated account with a random initial password that must be changed at the
first login, each person who has an account already is linked to the institution, never
duplicated; the initial passwords reach the uploader once, in the result file (ADR 0023).

- :func:`account_opening_upload` checks the caller, counts the upload, reads and checks the file
  as a whole (type, encoding, columns, row count), keeps its rows encrypted in the private vault
  and queues the work; nothing else is written on a refusal.
- :func:`account_opening_run` (the background task) works through the rows in small
  transactions, each row's account, enrolment, vouched verification and report committed
  together, so a worker stopped at any point resumes where it stopped and no account is ever
  opened without its initial password sealed beside it.
- :func:`account_opening_result` makes the result file, once, for the uploader only, then wipes
  the sealed passwords and the rows; :func:`account_openings_purge` does the same to results
  nobody fetched in time.

What the report tells the institution is deliberately little: ``linked`` for a person who had an
account (never their name, contacts or whether the name given matched), and one neutral refusal
(``opening_refused``) when a new person's phone or email belongs to another account.
"""

from creditbank.institutions.services.opening.results import (
    ResultFile,
    account_opening_result,
    account_opening_template,
    account_openings_purge,
)
from creditbank.institutions.services.opening.run import account_opening_run, account_openings_resume
from creditbank.institutions.services.opening.upload import account_opening_upload

__all__ = [
    "ResultFile",
    "account_opening_result",
    "account_opening_run",
    "account_opening_template",
    "account_opening_upload",
    "account_openings_purge",
    "account_openings_resume",
]
