import pytest

from integrations.models import Endpoint, EventType, Subscription
from tests.fakes.webhook_receiver import FakeRentalSystem

SECRET = "whsec_test_0123456789abcdef"


@pytest.fixture
def rental_system():
    server = FakeRentalSystem(secret=SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def endpoint(db, rental_system):
    endpoint = Endpoint.objects.create(name="Rental system", url=rental_system.url, secret=SECRET)
    Subscription.objects.bulk_create(
        Subscription(endpoint=endpoint, event_type=kind) for kind in EventType.values
    )
    return endpoint
