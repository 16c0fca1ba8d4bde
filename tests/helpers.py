"""Small test helpers shared across the suite."""

import inspect
import time
from collections.abc import Callable


def wait_until[T](
    predicate: Callable[[], T], *, timeout: float = 20.0, message: str = "", interval: float = 0.05
) -> T:
    """Wait for something another process does (a Celery worker, a webhook, a fake server) by asking
    `predicate` until it returns something truthy, and return that. Tests never sleep for a fixed time:
    a fixed wait is too short on a busy machine and wasted on an idle one.

    After `timeout` seconds the test fails, saying what it waited for (`message`, or the predicate's
    source line) and what the predicate last returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Waited {timeout:g} s for {message or _describe(predicate)}; it last returned {value!r}."
            )
        time.sleep(interval)


def _describe(predicate: Callable[[], object]) -> str:
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)
