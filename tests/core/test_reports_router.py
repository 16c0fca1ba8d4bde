"""Reports read from REPORTS_DATABASE_URL when it is set; everything else stays on the primary."""

import copy

import pytest
from django.conf import settings

from core.db import ReportsRouter, reports_database, reports_reads
from recovery.models import Incident


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "reports": copy.deepcopy(settings.DATABASES["default"])}


def test_without_a_replica_reports_read_the_primary():
    assert "reports" not in settings.DATABASES
    with reports_reads() as alias:
        assert alias == "default" and reports_database() == "default"
        assert Incident.objects.all().db == "default"


def test_reads_inside_a_report_go_to_the_replica_and_writes_stay_on_the_primary(with_replica):
    router = ReportsRouter()

    with reports_reads():
        assert Incident.objects.all().db == "reports"
        assert router.db_for_write(Incident) == "default"
    assert Incident.objects.all().db == "default"
    assert router.allow_migrate("reports", "recovery") is False and router.allow_migrate(
        "default", "recovery"
    )


def test_setting_reports_database_url_adds_the_reports_alias(monkeypatch):
    import importlib

    import config.settings as config_settings

    monkeypatch.setenv("REPORTS_DATABASE_URL", "postgres://reader@replica.internal:5432/pronto")
    try:
        reloaded = importlib.reload(config_settings)
        assert reloaded.DATABASES["reports"]["HOST"] == "replica.internal"
        assert reloaded.DATABASE_ROUTERS == ["core.db.ReportsRouter"]
    finally:
        monkeypatch.delenv("REPORTS_DATABASE_URL")
        importlib.reload(config_settings)
