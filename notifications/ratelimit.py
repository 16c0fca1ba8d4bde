"""A send-rate limit per sender number, shared by every worker: a token bucket in Redis.

Celery's own `rate_limit` is per worker process, so two workers would send at twice the rate
Twilio allows for a long code, and it cannot tell one sender number from another. The bucket
is charged by segments, which is what the carrier counts. Without a Redis broker (`make run`,
tasks in-process) there is nothing to share and no limit."""

import math

import redis
from django.conf import settings

# Server time keeps the workers' clocks out of it; the bucket may go into debt for a long
# message so that it still leaves, and the next one waits until the debt is paid. Given several
# senders (a Messaging Service's pool) it charges the one whose bucket is fullest.
_TAKE = """
local rate = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local capacity = math.max(1, rate)
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local best, best_tokens, best_ts = 1, nil, nil
for i, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local ts = tonumber(state[2]) or 0
  local tokens = capacity
  if state[1] then
    tokens = math.min(capacity, tonumber(state[1]) + (now_ms - ts) * rate / 1000)
  end
  -- Fullest first; between equals the one idle longest, so a burst spreads over the whole pool.
  if best_tokens == nil or tokens > best_tokens or (tokens == best_tokens and ts < best_ts) then
    best, best_tokens, best_ts = i, tokens, ts
  end
end
local tokens = best_tokens
local wait_ms = 0
if tokens >= 1 then
  tokens = tokens - cost
else
  wait_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[best], 'tokens', tostring(tokens), 'ts', tostring(now_ms))
redis.call('PEXPIRE', KEYS[best], math.ceil((capacity + cost) * 1000 / rate) + 1000)
return {best - 1, wait_ms}
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
    return send_slot_take_any(senders=[sender], segments=segments)[1]


def send_slot_take_any(*, senders: list[str], segments: int) -> tuple[str, float]:
    """Take a slot on whichever of `senders` is free soonest: (sender, 0.0) to go now from it,
    else (sender, seconds to wait) and nothing is charged."""
    client = _redis()
    rate = float(settings.PRONTO["SMS_RATE_PER_SECOND"])
    if client is None or rate <= 0:
        return senders[0], 0.0
    keys = [f"pronto:sms-rate:{sender}" for sender in senders]
    index, wait_ms = client.eval(_TAKE, len(keys), *keys, rate, segments)
    return senders[int(index)], math.ceil(int(wait_ms)) / 1000
