"""What the bench scripts capture of the SQL: every statement with its parameters and time
(``connection.execute_wrapper``), its shape (literals and IN-lists folded), its plan."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from django.db import connection, transaction


@dataclass
class Statement:
    sql: str
    params: object
    ms: float


@dataclass
class Capture:
    """``connection.execute_wrapper``: every statement with its parameters and its time."""

    statements: list[Statement] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append(Statement(sql, params, (time.perf_counter() - started) * 1000))

    @property
    def sql_ms(self) -> float:
        return sum(s.ms for s in self.statements)


_IN_LIST = re.compile(r"\bIN \((?:\s*(?:%s|\$\d+|'[^']*'|-?\d+(?:\.\d+)?)\s*,?)+\)", re.IGNORECASE)
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w\"])-?\d+(?:\.\d+)?\b")


def shape(sql: str) -> str:
    """The statement with its literals and IN-lists folded: what repeats whatever the values."""
    text = _IN_LIST.sub("IN (…)", sql)
    text = _STRING.sub("?", text)
    text = _NUMBER.sub("?", text)
    return re.sub(r"\s+", " ", text).strip()


def most_repeated(statements: list[Statement]) -> tuple[str, int]:
    counts: dict[str, int] = {}
    for statement in statements:
        key = shape(statement.sql)
        counts[key] = counts.get(key, 0) + 1
    key = max(counts, key=counts.get)
    return key, counts[key]


def explain(statement: Statement) -> str:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of one captured statement, with its parameters; the statement
    runs in a transaction rolled back (an INSERT of the access log leaves nothing behind)."""
    if connection.vendor != "postgresql":
        return "(EXPLAIN ANALYZE needs PostgreSQL)"
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        return plan
    except Exception as error:
        return f"(no plan: {type(error).__name__}: {error})"


def literal_sql(statement: Statement) -> str:
    """The statement as PostgreSQL received it (parameters interpolated), for the reader."""
    with connection.cursor() as cursor:
        try:
            return cursor.mogrify(statement.sql, statement.params).decode() if hasattr(cursor, "mogrify") else ""
        except Exception:
            return statement.sql


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
