"""Where reads for reports go: a PostgreSQL replica (or a direct connection that bypasses pgbouncer)
when REPORTS_DATABASE_URL is set, the primary otherwise.

Reports - the loyalty page, its CSV export, the /metrics scrape - read a lot and write nothing, and
the export streams from a server-side cursor, which transaction pooling cannot carry. They run their
reads inside `reports_reads()`, or pass `reports_database()` to `.using()` when the rows are read
after the view returned (a streamed response)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPORTS = "reports"
_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


def reports_database() -> str:
    """The alias reports read from: "reports" when configured, else "default"."""
    return REPORTS if REPORTS in settings.DATABASES else "default"


@contextmanager
def reports_reads() -> Iterator[str]:
    """Inside, every read goes to the reports database (writes still go to the primary)."""
    token = _reading_reports.set(True)
    try:
        yield reports_database()
    finally:
        _reading_reports.reset(token)


class ReportsRouter:
    """Sends reads made inside `reports_reads()` to the reports database; nothing else changes."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return reports_database() if _reading_reports.get() else None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # A replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPORTS  # a replica follows the primary's schema; never migrate it
