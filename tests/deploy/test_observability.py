"""What an operator reads: JSON log lines with a request id and no customer data, and /metrics."""

import io
import json
import logging
import logging.config
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client
from prometheus_client.core import GaugeMetricFamily

from core import metrics

REQUEST_ID = "req-7f3a9c"


@pytest.fixture
def json_log():
    """The production logging config (LOG_FORMAT=json), its console captured; read with lines()."""
    config = {
        **django_settings.LOGGING,
        "handlers": {"console": {**django_settings.LOGGING["handlers"]["console"]}},
    }
    config["handlers"]["console"]["formatter"] = "json"
    logging.config.dictConfig(config)
    stream = io.StringIO()
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    handler.setStream(stream)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logging.config.dictConfig(django_settings.LOGGING)


def test_log_lines_of_a_request_carry_its_request_id(client, json_log):
    response = client.get("/no-such-page", headers={"X-Request-ID": REQUEST_ID})

    assert response["X-Request-ID"] == REQUEST_ID
    [line] = [line for line in json_log() if line["logger"] == "django.request"]
    assert line["request_id"] == REQUEST_ID
    assert line["level"] == "WARNING"
    assert "timestamp" in line


def test_a_request_without_an_id_gets_a_fresh_one_in_the_response():
    first = Client().get("/healthz")["X-Request-ID"]
    second = Client().get("/healthz")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_a_request_id_that_could_forge_log_lines_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": 'x" injected\tvalue'})

    assert response["X-Request-ID"] != 'x" injected\tvalue'
    assert len(response["X-Request-ID"]) == 32


def test_phone_number_in_a_logged_path_is_masked_to_its_last_three_digits(client, json_log):
    client.get("/customers/+393331234567/")

    text = json.dumps(json_log())
    assert "3331234567" not in text
    assert "***567" in text


@pytest.mark.parametrize(
    "number",
    ["+39 333 123 4567", "+393331234567", "0039 333 1234567", "333 1234567", "333-123-4567", "02 1234 5678"],
)
def test_phone_numbers_in_messages_are_masked_in_every_common_format(json_log, number):
    logging.getLogger("notifications").info("SMS to %s queued", number)

    [line] = json_log()
    assert line["message"] == f"SMS to ***{number[-3:]} queued"


def test_timestamps_and_ids_are_not_mistaken_for_phone_numbers(json_log):
    logging.getLogger("recovery").info("incident 1732368000 at 2026-01-15T10:00:00.123456 took 0.123456 s")

    [line] = json_log()
    assert line["message"] == "incident 1732368000 at 2026-01-15T10:00:00.123456 took 0.123456 s"


def test_incident_id_extra_becomes_a_field_and_message_bodies_are_redacted(json_log):
    logging.getLogger("notifications").info(
        "SMS sent",
        extra={
            "incident_id": 42,
            "sms_body": "Your excavator arrives at 14:30, call 333 1234567",
            "body": "Grazie, a dopo",
            "to": "+39 333 123 4567",
        },
    )

    [line] = json_log()
    assert line["incident_id"] == 42
    assert line["sms_body"] == "[redacted]"
    assert line["body"] == "[redacted]"
    assert line["to"] == "***567"


def test_phone_number_in_an_exception_traceback_is_masked(json_log):
    try:
        raise ValueError("Twilio refused +393331234567")
    except ValueError:
        logging.getLogger("notifications").exception("send failed")

    [line] = json_log()
    assert "Twilio refused ***567" in line["exc_info"]
    assert "3331234567" not in json.dumps(line)


METRICS_TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    return METRICS_TOKEN


def scrape(client, token: str = METRICS_TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def test_metrics_do_not_exist_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""

    assert scrape(client, "anything").status_code == 404


def test_metrics_refuse_a_wrong_or_missing_token(client, metrics_token):
    assert scrape(client, "wrong-token").status_code == 403
    assert client.get("/metrics").status_code == 403


def test_metrics_expose_request_latency_by_route_name_not_raw_path(client, metrics_token, db):
    client.get("/api/v1/machines/PR0000042/")

    response = scrape(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert 'pronto_http_request_duration_seconds_bucket{le="0.1",method="GET",route="machine-detail"' in body
    assert "PR0000042" not in body


@pytest.fixture
def broker_queue(settings):
    """A queue of our own on the test broker, so parallel workers' queues do not interfere."""
    settings.CELERY_TASK_DEFAULT_QUEUE = f"pronto-metrics-test-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    yield client, settings.CELERY_TASK_DEFAULT_QUEUE
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)


def test_metrics_report_how_many_tasks_wait_in_the_celery_queue(client, metrics_token, broker_queue):
    broker, queue = broker_queue
    broker.lpush(queue, "task-1", "task-2", "task-3")

    body = scrape(client).content.decode()

    assert f'pronto_celery_queue_depth{{queue="{queue}"}} 3.0' in body
    assert "pronto_celery_broker_up 1.0" in body


def test_metrics_say_the_broker_is_down_instead_of_failing_the_scrape(client, metrics_token, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = scrape(client)

    assert response.status_code == 200
    assert "pronto_celery_broker_up 0.0" in response.content.decode()


class OpenIncidents:
    def collect(self):
        gauge = GaugeMetricFamily("pronto_incidents_open", "Incidents not yet recovered.")
        gauge.add_metric([], 7)
        yield gauge


class Broken:
    def collect(self):
        raise RuntimeError("database unavailable")


def test_an_app_can_register_a_collector_computed_at_scrape_time(client, metrics_token, monkeypatch):
    monkeypatch.setattr(metrics, "_scrape_time_collectors", [])
    metrics.register_collector(Broken())
    metrics.register_collector(OpenIncidents())

    response = scrape(client)

    assert response.status_code == 200
    assert "pronto_incidents_open 7.0" in response.content.decode()
