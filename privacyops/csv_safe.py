"""CSV that is safe to open in Excel (every export of the project goes through here).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — or their
full-width forms, which Japanese Excel also reads as a formula — is written with a leading
apostrophe, so the spreadsheet shows it as text instead of running it (CSV injection, OWASP).
The file starts with a UTF-8 BOM so that Excel opens the Japanese correctly.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
BOM = "\ufeff"


# What a spreadsheet may trim or not show before a formula: spaces of any width, line and
# paragraph separators, format characters (zero-width, soft hyphen, BOM, bidi marks, invisible
# operators, tags) and combining marks.
_LEADING_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Mn", "Me"})


# Blank letters and fillers a spreadsheet shows as nothing (Hangul fillers, Braille blank).
_BLANK_LETTERS = frozenset("\u3164\uffa0\u115f\u1160\u2800")


def _first_visible(text: str) -> str:
    """From the first character a reader would see, in its ordinary form (﹦ ＝ → =); control
    characters other than tab and carriage return (themselves formula starts) are skipped."""
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category in _LEADING_CATEGORIES or char in _BLANK_LETTERS:
            continue
        if category == "Cc" and char not in "\t\r":
            continue
        return unicodedata.normalize("NFKC", char) + text[index + 1 :]
    return ""


def safe_cell(value) -> str:
    """``value`` as text, neutralised when a spreadsheet would read it as a formula — also when
    spaces or invisible characters come first (a spreadsheet may trim them on import)."""
    text = "" if value is None else str(value)
    return "'" + text if _first_visible(text).startswith(FORMULA_STARTS) else text


def unneutralised(text: str) -> str:
    """The cell as it was before ``safe_cell`` (for files exported here and imported again)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The header and rows as CSV lines (BOM first, every cell through ``safe_cell``), for a
    ``StreamingHttpResponse``: memory stays bounded however many rows there are."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])
