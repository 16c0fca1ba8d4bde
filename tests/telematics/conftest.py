"""Telematics fixtures: a stream of its own per test, and a provider that pushes."""

import uuid

import pytest

from telematics import stream
from telematics.models import Provider, ProviderKind


@pytest.fixture(autouse=True)
def telematics_stream(settings):
    """Each test gets its own stream key, deleted afterwards, so consumers never see another's."""
    key = f"pronto:test:telematics:{uuid.uuid4().hex}"
    settings.TELEMATICS = {**settings.TELEMATICS, "STREAM_KEY": key}
    yield key
    if settings.TELEMATICS_STREAM_URL:
        stream._client().delete(key)


@pytest.fixture
def push_provider(db):
    return Provider.objects.create(name="trackunit", kind=ProviderKind.PUSH)
