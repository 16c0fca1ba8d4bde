"""`Idempotency-Key` support for API writes.

The key row is inserted in the same transaction as the write it guards, so a concurrent
retry blocks on the unique index until the first attempt commits, then replays its answer.
Only successful answers are kept: a failed attempt changed nothing and may be retried."""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.db import IntegrityError, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .models import IdempotencyKey
from .roles import signed_in

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update((request.method or "").encode())
    digest.update(request.path.encode())
    digest.update(request.body if request.content_type.startswith("application/json") else b"")
    return digest.hexdigest()


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        return Response(
            {
                "detail": "This Idempotency-Key was already used for a different request.",
                "code": "idempotency_key_reused",
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    return Response(record.response_body, status=record.response_status, headers={REPLAY_HEADER: "true"})


def idempotent(view_method: Callable) -> Callable:
    """Decorate an APIView handler (post/patch/put) to honour the Idempotency-Key header."""

    @wraps(view_method)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER)
        if not key:
            return view_method(view, request, *args, **kwargs)
        if len(key) > 255:
            raise ValidationError({HEADER: ["At most 255 characters."]})
        # Read the body before the view does, while the raw stream is still available.
        fingerprint = _fingerprint(request)
        user = signed_in(request.user)
        if user is None:  # keys are per person; the view's own permissions answer an anonymous call
            return view_method(view, request, *args, **kwargs)
        # Insert first, no lookup: a new key is the common case, and a retry runs into the unique
        # index and is answered below.
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
                response = view_method(view, request, *args, **kwargs)
                if response.status_code >= 300:
                    transaction.set_rollback(True)
                    return response
                record.response_status = response.status_code
                record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                record.save(update_fields=["response_status", "response_body"])
                return response
        except IntegrityError:
            # Another attempt with this key committed first: answer as it did.
            stored = IdempotencyKey.objects.filter(user=user, key=key).first()
            if stored is None or stored.response_status is None:
                raise
            return _replay(stored, fingerprint)

    # The schema reads this to document the header and the 422.
    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper


def idempotency_keys_purge(*, older_than: datetime) -> int:
    """Stored answers repeat customer data (names, numbers, SMS bodies); a retry comes within
    minutes, so a day-old key has done its job."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=older_than).delete()
    return deleted


def idempotency_keys_erase_mentioning(*, texts: list[str], sms_bodies: list[str]) -> int:
    """Forget stored answers that quote any of `texts` (an erased customer's name or number) or
    that are one of their SMS (the answer to a dispatcher's reply carries its `body`)."""
    mentions = Q()
    if sms_bodies:
        mentions |= Q(response_body__body__in=sms_bodies)
    for text in texts:
        if text:
            mentions |= Q(body_text__icontains=text)
    if not mentions:
        return 0
    as_text = Cast("response_body", TextField())
    deleted, _ = IdempotencyKey.objects.annotate(body_text=as_text).filter(mentions).delete()
    return deleted
