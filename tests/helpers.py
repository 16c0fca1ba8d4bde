"""Small test helpers shared across the suite."""

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float = 20.0, interval: float = 0.05) -> object:
    """Wait for something another process does (a Celery worker, a webhook); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Condition not met within {timeout} s: {condition}")
        time.sleep(interval)
