"""Reading an import file takes the same memory whatever its size: the file streams from its
encrypted chunks and the rows are parsed as they go (CSV, and XLSX without a declared size)."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable

import pytest

from creditbank.kernel.vault import PrivateVault
from creditbank.kernel.vault_chunks import ChunkedReader, ChunkWriter
from creditbank.outcomes.personal_data import IMPORT_FILE_CONTEXT
from creditbank.outcomes.services.imports import reading
from creditbank.outcomes.tests.imports.files import csv_bytes, outcome_row, xlsx_bytes


def _peak_while_reading(data: bytes, store: PrivateVault, format: str) -> tuple[int, int]:
    """(rows read, peak bytes allocated while reading them from the encrypted chunks)."""
    writer = ChunkWriter(context=IMPORT_FILE_CONTEXT, store=store, chunk_bytes=256 * 1024)
    writer.write(data)
    chunks = writer.close()
    del data
    tracemalloc.start()
    try:
        stream = io.BufferedReader(
            ChunkedReader(chunks, file_id=writer.file_id, context=IMPORT_FILE_CONTEXT, store=store)
        )
        count = sum(1 for _row in reading.records(stream, format=format, encoding="utf-8"))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("format", "build", "rows"), [("csv", csv_bytes, 20_000), ("xlsx", xlsx_bytes, 6_000)])
def test_twice_the_rows_take_no_more_memory(tmp_path, format: str, build: Callable[..., bytes], rows: int) -> None:  # type: ignore[no-untyped-def]
    store = PrivateVault(tmp_path)

    def file(n: int) -> bytes:
        # different outcome numbers and titles, so that an XLSX's shared strings grow with it too
        return build([outcome_row(None, i, account_no="100000000008", title=f"课程 {i % 50}") for i in range(n)])

    small_rows, small_peak = _peak_while_reading(file(rows), store, format)
    large_rows, large_peak = _peak_while_reading(file(2 * rows), store, format)
    assert (small_rows, large_rows) == (rows + 1, 2 * rows + 1)
    if format == "csv":
        assert large_peak < small_peak * 1.1 + 64 * 1024, (small_peak, large_peak)
    else:
        # an XLSX holds its shared strings (one per distinct text: here each row's outcome number)
        shared = 2 * rows * 100
        assert large_peak < small_peak * 1.1 + shared, (small_peak, large_peak)
