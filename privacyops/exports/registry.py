"""What can be exported: each app registers its kinds of file in its ``AppConfig.ready``.

A ``Kind`` says who may ask for it (``permission``), how it is made (``build``: a generator of
bytes, given the job and a ``progress(done, total)`` callback; it reads as ``export.created_by``),
what the file is (``content_type``, ``extension``), and what a download writes to the access log
(``log(request, export)``). The scope is re-checked at download time by ``services.downloadable``
(every organization the file holds data of must still be the user's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

ProgressFn = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class Kind:
    """One kind of file: its key (stored on the export), name, permission, builder, type, logging."""

    key: str
    label: str
    permission: str
    build: Callable[..., Iterator[bytes]]
    content_type: str
    extension: str
    log: Callable


_KINDS: dict[str, Kind] = {}
_SCOPE: list[Callable] = []


def register_scope(organization_ids: Callable) -> None:
    """``organization_ids(user)`` → the organizations whose data ``user`` may read (registered by
    the audit app, which resolves it through the app that owns organizations)."""
    _SCOPE[:] = [organization_ids]


def organization_ids(user) -> frozenset[int]:
    """The organizations whose data ``user`` may read now (``LookupError`` before registration)."""
    if not _SCOPE:
        raise LookupError("no app registered the exports' scope (registry.register_scope)")
    return frozenset(_SCOPE[0](user))


def register(kind: Kind) -> None:
    """Offer ``kind`` (an app's ``AppConfig.ready``); a key registered again replaces the first."""
    _KINDS[kind.key] = kind


def get(key: str) -> Kind:
    """The registered kind; ``KeyError`` for one no app registers (any more)."""
    return _KINDS[key]


def label(key: str) -> str:
    """The kind's name in the reader's language (its key for one no longer offered)."""
    kind = _KINDS.get(key)
    return str(kind.label) if kind else key


def encoded(lines, *, piece: int = 1 << 16):
    """Text lines (a CSV) as UTF-8 ``bytes`` in pieces of about ``piece`` bytes: what ``build``
    yields, without one write per line."""
    pending, size = [], 0
    for line in lines:
        data = line.encode("utf-8")
        pending.append(data)
        size += len(data)
        if size >= piece:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)
