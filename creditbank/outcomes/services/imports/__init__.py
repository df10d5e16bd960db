"""Outcome imports: files of outcome rows deposited by a background job (docs/adr/0025)."""

from creditbank.outcomes.services.imports.jobs import CHUNK_ROWS, MAX_FILE_BYTES, import_run, import_start
from creditbank.outcomes.services.imports.template import template_csv, template_xlsx

__all__ = ["CHUNK_ROWS", "MAX_FILE_BYTES", "import_run", "import_start", "template_csv", "template_xlsx"]
