"""Large vault files in encrypted chunks: read back whole and by seeking; chunks out of place refused."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.kernel.vault import PrivateVault
from creditbank.kernel.vault_chunks import ChunkedReader, ChunkError, ChunkWriter, StoredChunk

#: a declared context (sealing refuses undeclared ones): the one chunked files are used for
CONTEXT = "outcomes.import.file"


def _store(tmp_path: Path) -> PrivateVault:
    return PrivateVault(tmp_path / "vault")


def _write(store: PrivateVault, data: bytes, *, chunk_bytes: int = 16, pieces: int = 7) -> ChunkWriter:
    writer = ChunkWriter(context=CONTEXT, store=store, chunk_bytes=chunk_bytes)
    for start in range(0, len(data), pieces):
        writer.write(data[start : start + pieces])
    return writer


def _reader(store: PrivateVault, writer: ChunkWriter, chunks: list[StoredChunk]) -> ChunkedReader:
    return ChunkedReader(chunks, file_id=writer.file_id, context=CONTEXT, store=store)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=200), chunk_bytes=st.integers(1, 40), pieces=st.integers(1, 50))
def test_what_is_written_reads_back(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, chunk_bytes: int, pieces: int
) -> None:
    store = _store(tmp_path_factory.mktemp("v"))
    writer = _write(store, data, chunk_bytes=chunk_bytes, pieces=pieces)
    chunks = writer.close()
    assert all(c.size <= chunk_bytes for c in chunks)
    assert sum(c.size for c in chunks) == len(data)
    assert (len(chunks) == 1) if not data else all(c.size > 0 for c in chunks)
    assert io.BufferedReader(_reader(store, writer, chunks), buffer_size=5).read() == data
    reader = io.BufferedReader(_reader(store, writer, chunks), buffer_size=3)  # raw reads may be short
    if data:
        middle = len(data) // 2
        reader.seek(middle)
        assert reader.read(3) == data[middle : middle + 3]
        reader.seek(-1, io.SEEK_END)
        assert reader.read() == data[-1:]


def test_the_chunks_are_encrypted_vault_files(tmp_path: Path) -> None:
    store = _store(tmp_path)
    secret = b"110105199003071234," * 10
    writer = _write(store, secret)
    chunks = writer.close()
    for chunk in chunks:
        raw = store._path(chunk.name).read_bytes()
        assert b"110105" not in raw
        assert store.read(chunk.name, context=CONTEXT)[25:] in secret  # the header, then the data
    writer.discard()
    assert not [p for p in (tmp_path / "vault").rglob("*") if p.is_file()]


def test_a_zip_reads_through_it(tmp_path: Path) -> None:
    store = _store(tmp_path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", os.urandom(3000).hex())
        archive.writestr("b.txt", "你好" * 500)
    writer = _write(store, out.getvalue(), chunk_bytes=512, pieces=1000)
    reader = io.BufferedReader(_reader(store, writer, writer.close()))
    with zipfile.ZipFile(reader) as archive:
        assert archive.read("b.txt").decode() == "你好" * 500
        assert len(archive.read("a.txt")) == 6000


def test_chunks_out_of_place_are_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    writer = _write(store, bytes(range(64)))
    chunks = writer.close()
    assert len(chunks) == 4
    other = _write(store, bytes(64))
    other_chunks = other.close()
    cases = {
        "swapped": [chunks[1], chunks[0], *chunks[2:]],
        "cut short": chunks[:3],
        "another file's": [chunks[0], other_chunks[1], *chunks[2:]],
        "dropped": [chunks[0], *chunks[2:]],
    }
    for arranged in cases.values():
        reader = io.BufferedReader(_reader(store, writer, arranged))
        with pytest.raises(ChunkError, match="chunk"):
            reader.read()
    with pytest.raises(ChunkError):
        ChunkedReader([], file_id=writer.file_id, context=CONTEXT, store=store)
