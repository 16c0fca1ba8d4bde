"""Telematics fixtures: a stream of its own per test, a provider that pushes, a fake ISO 15143-3 server."""

import importlib
import uuid

import pytest
from django.apps import apps as django_apps

from telematics import stream
from telematics.models import Provider, ProviderKind
from tests.fakes.iso15143_server import FakeIso15143


@pytest.fixture(autouse=True)
def telematics_stream(settings):
    """Each test gets its own stream key, deleted afterwards, so consumers never see another's."""
    key = f"pronto:test:telematics:{uuid.uuid4().hex}"
    settings.TELEMATICS = {**settings.TELEMATICS, "STREAM_KEY": key}
    yield key
    if settings.TELEMATICS_STREAM_URL:
        stream._client().delete(key)


@pytest.fixture(autouse=True)
def default_fault_rules(request):
    """The fault rules the data migration seeds. A transactional test elsewhere in the run empties
    every table, seeded rows included, so they are put back (get_or_create) before each test."""
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    importlib.import_module("telematics.migrations.0002_fault_rules").seed(django_apps, None)


@pytest.fixture
def push_provider(db):
    return Provider.objects.create(name="trackunit", kind=ProviderKind.PUSH)


@pytest.fixture(scope="session")
def fake_aemp_server():
    server = FakeIso15143().start()
    yield server
    server.stop()


@pytest.fixture
def fake_aemp(fake_aemp_server):
    """The fake ISO 15143-3 server, emptied for the test."""
    fake_aemp_server.state.__init__(api_key=fake_aemp_server.state.api_key)
    return fake_aemp_server


@pytest.fixture
def aemp_provider(db, fake_aemp):
    return Provider.objects.create(
        name="kubota-aemp",
        kind=ProviderKind.ISO15143,
        base_url=fake_aemp.base_url,
        api_key=fake_aemp.state.api_key,
        poll_interval_seconds=900,
    )
