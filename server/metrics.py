"""Prometheus metrics, one registry per app so several apps (tests, replicas in one process) never clash."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from server.db import Database
from server.tables import Record

log = logging.getLogger(__name__)


class _StoredRecords(Collector):
    """Counts stored records in the database at scrape time, so every replica reports the same figure."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("aris_sync_records_stored", "Encrypted records stored, all accounts.")
        try:
            with self._database.read() as session:
                family.add_metric([], float(session.scalar(select(func.count()).select_from(Record)) or 0))
        except SQLAlchemyError:
            log.warning("Could not count stored records for /metrics", exc_info=True)
            return
        yield family


class Metrics:
    """The server's metrics."""

    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "aris_sync_http_requests",
            "HTTP requests handled.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "aris_sync_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "route"],
            registry=self.registry,
        )
        self.errors = Counter(
            "aris_sync_errors", "Error responses by error code.", ["code"], registry=self.registry
        )
        self.records_applied = Counter(
            "aris_sync_records_applied", "Record versions stored by pushes.", registry=self.registry
        )
        self.registry.register(_StoredRecords(database))
