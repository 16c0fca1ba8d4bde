"""Push providers authenticate twice: a bearer token names the provider, and an HMAC-SHA256 of the
raw body with the provider's signing secret proves the body is theirs and unaltered."""

import hashlib
import hmac

from telematics.models import Provider, ProviderKind

SIGNATURE_HEADER = "X-Pronto-Signature"
SIGNATURE_PREFIX = "sha256="


def body_signature(*, secret: str, body: bytes) -> str:
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def push_provider_for_token(authorization: str) -> Provider | None:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return Provider.objects.filter(token=token.strip(), kind=ProviderKind.PUSH, enabled=True).first()


def body_is_signed(*, provider: Provider, body: bytes, signature: str) -> bool:
    # compare_digest: a byte-by-byte comparison would tell an attacker how much they got right.
    return hmac.compare_digest(body_signature(secret=provider.signing_secret, body=body), signature.strip())
