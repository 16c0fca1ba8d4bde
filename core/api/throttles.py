"""Rate limits: failed logins per client address, and each technician's phone per user."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle


class SettingsRateMixin:
    """Read the rate when asked: DRF copies the rates once at import, so a changed setting
    (a test, a reloaded configuration) would otherwise go unnoticed."""

    scope: str

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate is None else str(rate)


class FailedLoginThrottle(SettingsRateMixin, SimpleRateThrottle):
    """Counts failed logins only (rate `login`): a technician who types the password right is
    never held up by a colleague's typos, while guessing passwords runs into 429 quickly."""

    scope = "login"
    # Set by parse_rate() in SimpleRateThrottle.__init__.
    num_requests: int
    duration: int

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view) -> bool:
        # Like SimpleRateThrottle.allow_request, but looking only: record_failure() counts.
        self.key = self.get_cache_key(request, view)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return True

    def record_failure(self, request, view) -> None:
        self.allow_request(request, view)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class TechnicianRateThrottle(SettingsRateMixin, UserRateThrottle):
    """Per technician (rate `technician`), so one phone stuck in a retry loop slows only itself."""

    scope = "technician"
