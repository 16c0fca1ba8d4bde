"""Webhook signatures, as Stripe's: `Pronto-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where
the HMAC, keyed with the endpoint's secret, covers `<t>.<raw body>`. The timestamp inside the signed
text lets a receiver refuse a replayed request (see docs/webhooks.md for the receiver's side)."""

import hashlib
import hmac

SIGNATURE_HEADER = "Pronto-Signature"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"


def signature_valid(*, secret: str, header: str, body: bytes, now: int, tolerance_seconds: int = 300) -> bool:
    """What a receiver checks: a v1 signature matches and the timestamp is recent."""
    parts = [item.partition("=") for item in header.split(",")]
    timestamps = [value for key, _, value in parts if key == "t"]
    candidates = [value for key, _, value in parts if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not candidates:
        return False
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
