"""Files kept encrypted at rest (identity-document copies, issue 12).

``cryptography``'s Fernet (AES-128-CBC with HMAC-SHA256, a timestamp and a version byte) under
several keys at once (``MultiFernet``): ``DOCUMENT_KEYS`` lists them, newest first. The first
key seals; any of them opens. Rotation: put a new key first, run
``manage.py rotate_document_keys`` (re-seals every stored file under it), then drop the old key.

Keys come from the environment only. Under ``make run`` (DEBUG, no key set) a development key is
made once in ``var/`` like the development SECRET_KEY; production settings refuse to run
without one (``check --deploy`` says so, and so does the first file sealed or opened).
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SealBroken(Exception):
    """A stored file that no configured key opens (a key removed too early, or a damaged file)."""


def keys() -> tuple[str, ...]:
    """The configured keys, newest first (``DOCUMENT_KEYS``)."""
    return tuple(key.strip() for key in settings.DOCUMENT_KEYS if key.strip())


@lru_cache(maxsize=4)
def _fernet(configured: tuple[str, ...]) -> MultiFernet:
    if not configured:
        raise ImproperlyConfigured(
            "DOCUMENT_KEYS is not set: identity-document files cannot be stored or read. Generate a key with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in configured])
    except ValueError as error:
        raise ImproperlyConfigured(f"DOCUMENT_KEYS holds a key that is not a Fernet key: {error}") from None


def seal(data: bytes) -> bytes:
    """``data`` encrypted under the newest key."""
    return _fernet(keys()).encrypt(data)


def unseal(token: bytes) -> bytes:
    """The plain bytes of a sealed file; ``SealBroken`` if no configured key opens it."""
    try:
        return _fernet(keys()).decrypt(token)
    except InvalidToken:
        raise SealBroken("no configured key opens this file") from None


def reseal(token: bytes) -> bytes:
    """The same file sealed under the newest key (for rotation); ``SealBroken`` as ``unseal``."""
    try:
        return _fernet(keys()).rotate(token)
    except InvalidToken:
        raise SealBroken("no configured key opens this file") from None


def is_sealed_by_newest(token: bytes) -> bool:
    """Whether the newest key alone opens ``token`` (rotation skips such files)."""
    try:
        Fernet(keys()[0].encode()).decrypt(token)
    except (InvalidToken, IndexError):
        return False
    return True


def dev_key(var_dir) -> str:
    """The development key of this checkout (``var/dev-document-key``), made once, never committed."""
    path = var_dir / "dev-document-key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


# A long file (an export of a million rows) is sealed in pieces, one Fernet token per line, so
# that neither making nor reading it holds more than one piece in memory. Each piece carries the
# file's random id, its index and whether it is the last: pieces dropped, reordered, cut off or
# taken from another file do not open as this file.
PIECE_BYTES = 1 << 20
_PIECE_MAGIC = b"POP1"
_PIECE_HEADER = len(_PIECE_MAGIC) + 16 + 4 + 1


def seal_pieces(chunks, out) -> int:
    """Seal the bytes of ``chunks`` (an iterable of ``bytes``) into ``out`` (a binary file) as
    pieces of at most ``PIECE_BYTES``, one token per line; returns the plain size in bytes."""
    fernet = _fernet(keys())
    file_id = secrets.token_bytes(16)
    index = 0

    def write(data: bytes, last: bool) -> None:
        nonlocal index
        header = _PIECE_MAGIC + file_id + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")
        out.write(fernet.encrypt(header + data) + b"\n")
        index += 1

    pending, size = bytearray(), 0
    for chunk in chunks:
        pending += chunk
        size += len(chunk)
        while len(pending) > PIECE_BYTES:  # the rest is kept back: the last piece is marked last
            write(bytes(pending[:PIECE_BYTES]), False)
            del pending[:PIECE_BYTES]
    write(bytes(pending), True)
    return size


def unseal_pieces(handle):
    """The plain bytes of a file written by ``seal_pieces``, piece by piece. ``SealBroken`` when
    a piece does not open, is out of order, belongs to another file, follows the last one, or the
    file ends before its last piece."""
    file_id, expected, ended = None, 0, False
    for line in handle:
        token = line.strip()
        if not token:
            continue
        if ended:
            raise SealBroken("data after the last piece")
        plain = unseal(token)
        if len(plain) < _PIECE_HEADER or not plain.startswith(_PIECE_MAGIC):
            raise SealBroken("not a piece of a sealed export")
        piece_file = plain[4:20]
        if file_id is None:
            file_id = piece_file
        if piece_file != file_id or int.from_bytes(plain[20:24], "big") != expected:
            raise SealBroken("pieces out of order or from another file")
        expected += 1
        ended = plain[24] == 1
        yield plain[_PIECE_HEADER:]
    if not ended:
        raise SealBroken("the file ends before its last piece")
