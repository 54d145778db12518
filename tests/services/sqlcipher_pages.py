"""Decrypt every page of a SQLCipher 4 file (and its WAL) with the raw data key, so a test can
look for deleted text in free pages and unused cell space, not only in live rows.

SQLCipher 4 defaults with a raw key: 4096-byte pages, AES-256-CBC with the key as given, and
80 reserved bytes at each page's end (16-byte IV, 64-byte HMAC). Page 1 starts with the
16-byte salt instead of ciphertext.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80
IV_BYTES = 16
SALT = 16
WAL_HEADER = 32
FRAME_HEADER = 24


def decrypt_page(key: bytes, page: bytes, number: int) -> bytes:
    start = SALT if number == 1 else 0
    iv = page[PAGE - RESERVE : PAGE - RESERVE + IV_BYTES]
    body = page[start : PAGE - RESERVE]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def database_pages(path: Path, key: bytes) -> Iterator[bytes]:
    data = path.read_bytes()
    for index in range(len(data) // PAGE):
        yield decrypt_page(key, data[index * PAGE : (index + 1) * PAGE], index + 1)


def wal_pages(path: Path, key: bytes) -> Iterator[bytes]:
    if not path.exists():
        return
    data = path.read_bytes()
    offset = WAL_HEADER
    while offset + FRAME_HEADER + PAGE <= len(data):
        number = int.from_bytes(data[offset : offset + 4], "big")
        page = data[offset + FRAME_HEADER : offset + FRAME_HEADER + PAGE]
        yield decrypt_page(key, page, number)
        offset += FRAME_HEADER + PAGE


def plaintext_of(folder: Path, key: bytes) -> bytes:
    """Every decrypted page of vault.db and vault.db-wal, concatenated."""
    pages = list(database_pages(folder / "vault.db", key))
    pages += list(wal_pages(folder / "vault.db-wal", key))
    return b"".join(pages)
