"""Large private files in the vault as a sequence of encrypted chunks, read back as a stream.

A file is cut into chunks of :data:`CHUNK_BYTES` (1 MiB); each chunk is one ordinary vault file
(AES-256-GCM under the declared context, so key rotation reseals it like any other), and its
plaintext starts with a header naming the file (16 random bytes), the chunk's index and whether
it is the last one. The header is inside the authenticated plaintext, so chunks swapped, reordered,
dropped from the end or taken from another file are refused on reading (:class:`ChunkError`),
not silently read. :class:`ChunkedReader` is a seekable, read-only binary stream over the chunks
that holds at most two decrypted chunks at a time: a file is read in constant memory, whatever
its size (the CSV reader streams it, the ZIP reader behind XLSX seeks in it).
"""

from __future__ import annotations

import io
import secrets
import struct
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from creditbank.kernel.vault import PrivateVault, vault

CHUNK_BYTES = 1024 * 1024
_MAGIC = b"CBC1"
_HEADER = struct.Struct(">4s16sIB")  # magic, file id, index, last
_CACHED = 2


class ChunkError(ValueError):
    """A chunk does not belong where it was found (another file, another place, or missing)."""


@dataclass(frozen=True)
class StoredChunk:
    name: str  #: the vault name
    size: int  #: plaintext bytes (without the header)


class ChunkWriter:
    """Write a file as encrypted chunks: :meth:`write` any number of times, then :meth:`close`
    for the chunks in order. :meth:`discard` deletes what was written (a refused upload)."""

    def __init__(self, *, context: str, store: PrivateVault | None = None, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.context = context
        self.file_id = secrets.token_bytes(16)
        self.chunk_bytes = chunk_bytes
        self._store = store or vault()
        self._buffer = bytearray()
        self._chunks: list[StoredChunk] = []
        self._names: list[str] = []

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > self.chunk_bytes:
            self._seal(bytes(self._buffer[: self.chunk_bytes]), last=False)
            del self._buffer[: self.chunk_bytes]

    def close(self) -> list[StoredChunk]:
        """Seal the last chunk (an empty file is one empty chunk) and answer the chunks."""
        self._seal(bytes(self._buffer), last=True)
        self._buffer = bytearray()
        return list(self._chunks)

    def discard(self) -> None:
        for name in self._names:
            self._store.delete(name)
        self._chunks, self._names = [], []

    def _seal(self, data: bytes, *, last: bool) -> None:
        header = _HEADER.pack(_MAGIC, self.file_id, len(self._chunks), 1 if last else 0)
        name = self._store.save(header + data, context=self.context)
        self._names.append(name)
        self._chunks.append(StoredChunk(name=name, size=len(data)))


class ChunkedReader(io.RawIOBase):
    """The plaintext of a chunked file as a seekable binary stream (wrap it in
    ``io.BufferedReader`` for line reading)."""

    def __init__(
        self, chunks: Sequence[StoredChunk], *, file_id: bytes, context: str, store: PrivateVault | None = None
    ) -> None:
        super().__init__()
        if not chunks:
            raise ChunkError("a chunked file has at least one chunk")
        self._chunks = list(chunks)
        self._file_id = file_id
        self._context = context
        self._store = store or vault()
        self._starts: list[int] = []
        position = 0
        for chunk in self._chunks:
            self._starts.append(position)
            position += chunk.size
        self._size = position
        self._pos = 0
        self._cache: OrderedDict[int, bytes] = OrderedDict()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        target = base + offset
        if target < 0:
            raise ValueError("negative seek position")
        self._pos = target
        return self._pos

    @property
    def size(self) -> int:
        return self._size

    def _chunk(self, index: int) -> bytes:
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        plain = self._store.read(self._chunks[index].name, context=self._context)
        if len(plain) < _HEADER.size:
            raise ChunkError(f"chunk {index} is too short")
        magic, file_id, at, last = _HEADER.unpack_from(plain)
        expected_last = 1 if index == len(self._chunks) - 1 else 0
        if magic != _MAGIC or file_id != self._file_id or at != index or last != expected_last:
            raise ChunkError(f"chunk {index} does not belong at this place of this file")
        data = plain[_HEADER.size :]
        if len(data) != self._chunks[index].size:
            raise ChunkError(f"chunk {index} has {len(data)} bytes, not {self._chunks[index].size}")
        self._cache[index] = data
        while len(self._cache) > _CACHED:
            self._cache.popitem(last=False)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pos >= self._size:
            return 0
        index = self._index_of(self._pos)
        data = self._chunk(index)
        offset = self._pos - self._starts[index]
        n = min(len(buffer), len(data) - offset)
        buffer[:n] = data[offset : offset + n]
        self._pos += n
        return n

    def _index_of(self, position: int) -> int:
        low, high = 0, len(self._starts) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self._starts[mid] <= position:
                low = mid
            else:
                high = mid - 1
        # skip empty chunks (only the last one may be empty)
        while low < len(self._chunks) - 1 and self._starts[low] + self._chunks[low].size <= position:
            low += 1
        return low


def delete_chunks(names: Sequence[str], *, store: PrivateVault | None = None) -> None:
    target = store or vault()
    for name in names:
        target.delete(name)
