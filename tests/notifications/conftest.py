"""The browser fixtures of the console's tests, for the customer's tracking page."""

from tests.console.conftest import (  # noqa: F401  (fixtures and hooks, registered by name)
    browser,
    new_page,
    pytest_runtest_setup,
    pytest_runtest_teardown,
    screenshot,
)
