"""A send-rate limit per sender number, shared by every worker: a token bucket in Redis.

Celery's own `rate_limit` is per worker process, so two workers would send at twice the rate
Twilio allows for a long code, and it cannot tell one sender number from another. The bucket
is charged by segments, which is what the carrier counts. Without a Redis broker (`make run`,
tasks in-process) there is nothing to share and no limit."""

import math

import redis
from django.conf import settings

# Server time keeps the workers' clocks out of it; the bucket may go into debt for a long
# message so that it still leaves, and the next one waits until the debt is paid.
_TAKE = """
local rate = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local capacity = math.max(1, rate)
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now_ms
tokens = math.min(capacity, tokens + (now_ms - ts) * rate / 1000)
local wait_ms = 0
if tokens >= 1 then
  tokens = tokens - cost
else
  wait_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now_ms))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity + cost) * 1000 / rate) + 1000)
return wait_ms
"""

_client: redis.Redis | None = None


def _redis() -> redis.Redis | None:
    global _client
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    if _client is None:
        _client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return _client


def send_slot_take(*, sender: str, segments: int) -> float:
    """Take a slot to send `segments` from `sender`: 0.0 to go now, else seconds to wait."""
    client = _redis()
    rate = float(settings.PRONTO["SMS_RATE_PER_SECOND"])
    if client is None or rate <= 0:
        return 0.0
    wait_ms = client.eval(_TAKE, 1, f"pronto:sms-rate:{sender}", rate, segments)
    return math.ceil(int(wait_ms)) / 1000
