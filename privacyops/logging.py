"""Logging that keeps no search terms, names or addresses (issue 12).

Searches and filters travel in query strings (``?q=山田``): every log line has its query strings
dropped before it is written — the development server's request lines, Django's request errors,
Celery's — so the logs hold pages, never what was looked for. Gunicorn's access log is configured
the same way in the Dockerfile (``%(U)s``: the path without its query string).
"""

import logging
import re

# A path, then its query string up to the next blank (a closing quote stays): quotes inside the
# path or the query do not end it early.
_QUERY = re.compile(r"(/[^\s?]*)\?\S*?(?=\"?(?:\s|$))")


def without_query_strings(text: str) -> str:
    """``text`` with the query string of every path in it removed."""
    return _QUERY.sub(r"\1", text)


class DropQueryStrings(logging.Filter):
    """A handler filter: the formatted message without query strings (args are folded in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = without_query_strings(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
