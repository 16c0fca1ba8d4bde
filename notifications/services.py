"""Customer SMS writes: the outbox the recovery engine fills inside its transactions, the send
that claims a row once, Twilio's callbacks and the customer's replies.

Nothing is sent from memory: a row is written in the caller's transaction, a task is enqueued
after commit, and the sweeper finds any row whose task was lost."""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.roles import AnyUser, signed_in
from fleet.models import Branch, ChannelPreference, Customer
from fleet.services import (
    ERASED_MOBILE,
    customer_channel_choose,
    customer_sms_opt_in,
    customer_sms_opt_out,
)
from recovery import services as recovery_services
from recovery.errors import InvalidRequest
from recovery.models import Channel as TimelineChannel
from recovery.models import CustomerAnswer, Incident
from recovery.models import IncidentStatus as S

from . import selectors, whatsapp
from .backends import get_backend
from .backends.base import PermanentSmsError, SmsError, TransientSmsError, UnknownOutcomeSmsError
from .messages import channel_chosen_text, gsm_friendly, help_text, incident_message_text
from .models import (
    BULK_KINDS,
    IN_FLIGHT_STATUSES,
    ONCE_PER_INCIDENT,
    STATUS_RANK,
    Channel,
    Direction,
    Message,
    MessageKind,
    MessageStatus,
    NotSentReason,
)
from .ratelimit import send_slot_take_any
from .replies import Meaning, answer_read, reply_read
from .segments import segment_count

logger = logging.getLogger(__name__)

UNSUBSCRIBED = 21610
MAX_DISPATCHER_SEGMENTS = 4

# Twilio's statuses on our ladder; "read" is a delivered message the customer opened.
TWILIO_STATUSES = {
    "accepted": MessageStatus.SENDING,
    "scheduled": MessageStatus.SENDING,
    "queued": MessageStatus.SENDING,
    "sending": MessageStatus.SENDING,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}


@dataclass(frozen=True)
class SendOutcome:
    """What the task does next: nothing, or run again in `retry_in` seconds."""

    retry_in: float | None = None


DONE = SendOutcome()


# Queueing ------------------------------------------------------------------------------------


# Broker priorities (Redis: 0 is served first): a breakdown's texts before surveys.
TRANSACTIONAL_PRIORITY, BULK_PRIORITY = 0, 9


def _enqueue(message_id: int) -> None:
    from .tasks import message_send_task

    kind = Message.objects.filter(pk=message_id).values_list("kind", flat=True).first()
    priority = BULK_PRIORITY if kind in BULK_KINDS else TRANSACTIONAL_PRIORITY
    try:
        message_send_task.apply_async((message_id,), priority=priority)
    except Exception:
        # The broker is down: the row is committed and queued, so the sweeper will send it.
        logger.warning("Could not enqueue SMS %s; the sweeper will pick it up.", message_id, exc_info=True)


def _record_outbound(
    *,
    customer: Customer,
    incident: Incident | None,
    kind: str,
    body: str,
    by: AnyUser | None = None,
    channel: str = Channel.SMS,
    fallback_of: Message | None = None,
) -> Message:
    now = timezone.now()
    encoding, segments = segment_count(body)
    reason = ""
    if customer.sms_opted_out_at is not None:
        reason = NotSentReason.OPTED_OUT
    elif not customer.sms_consent:
        reason = NotSentReason.NO_CONSENT
    message = Message.objects.create(
        incident=incident,
        customer=customer,
        direction=Direction.OUTBOUND,
        channel=channel,
        fallback_of=fallback_of,
        kind=kind,
        to_number=str(customer.mobile),
        # A pool's number is chosen when the text leaves (see _senders_for).
        from_number="" if settings.TWILIO_SENDER_POOL else settings.TWILIO_FROM,
        language=customer.language,
        body=body,
        segments=segments,
        encoding=encoding,
        status=MessageStatus.NOT_SENT if reason else MessageStatus.QUEUED,
        not_sent_reason=reason,
        sent_by=signed_in(by),
        created_at=now,
        next_attempt_at=None if reason else now,
        status_updated_at=now,
    )
    if not reason:
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def customer_message_queue(*, incident: Incident, kind: str) -> Message | None:
    """Queue the customer SMS for an incident event: acknowledgement, eta, delay, arrival, recovered, survey.

    Call it inside the transaction that records the event; the SMS leaves only if that commits.
    A once-only kind asked for twice returns None the second time."""
    customer = incident.rental.customer
    if kind == MessageKind.CANCELLED and not selectors.incident_arrival_time_told(incident=incident):
        return None  # nobody was told anyone was coming: nothing to call off
    body = incident_message_text(incident=incident, kind=kind)
    queued = None
    for channel in _channels_for(customer):
        try:
            with transaction.atomic():
                message = _record_outbound(
                    customer=customer, incident=incident, kind=kind, body=body, channel=channel
                )
        except IntegrityError:
            if kind in ONCE_PER_INCIDENT:
                continue
            raise
        queued = queued or message
    return queued


def _channels_for(customer: Customer) -> tuple[str, ...]:
    """Where the customer wants our texts: the channel they chose, or both."""
    if customer.channel_preference == ChannelPreference.WHATSAPP:
        return (Channel.WHATSAPP,)
    if customer.channel_preference == ChannelPreference.BOTH:
        return (Channel.SMS, Channel.WHATSAPP)
    return (Channel.SMS,)


def dispatcher_message_send(*, incident: Incident, body: str, by: AnyUser) -> Message:
    """A dispatcher texts the customer of an incident (usually answering their reply)."""
    body = gsm_friendly(body.strip())
    if not body:
        raise InvalidRequest(gettext("Write the message to send."))
    _, segments = segment_count(body)
    if segments > MAX_DISPATCHER_SEGMENTS:
        raise InvalidRequest(
            gettext("Keep it shorter: this would take %(segments)s SMS (at most %(most)s).")
            % {"segments": segments, "most": MAX_DISPATCHER_SEGMENTS}
        )
    customer = incident.rental.customer
    if not customer.can_receive_sms:
        raise InvalidRequest(
            gettext("This customer does not receive SMS (they texted STOP); phone them instead.")
        )
    with transaction.atomic():
        sent = [
            _record_outbound(
                customer=customer,
                incident=incident,
                kind=MessageKind.FREE_TEXT,
                body=body,
                by=by,
                channel=channel,
            )
            for channel in _channels_for(customer)
        ]
    return sent[0]


# Sending -------------------------------------------------------------------------------------


def _status_callback_url(message: Message) -> str:
    # Our id in the URL lets a callback settle a message whose create answer was lost.
    return settings.PUBLIC_BASE_URL + reverse("sms-status-callback", args=[message.pk])


def _move_forward(message_id: int, status: str, **fields: Any) -> bool:
    """Set `status` only if it is further along than the current one; True if it moved."""
    below = [name for name, rank in STATUS_RANK.items() if rank < STATUS_RANK[MessageStatus(status)]]
    now = timezone.now()
    return bool(
        Message.objects.filter(pk=message_id, status__in=below).update(
            status=status, status_updated_at=now, **fields
        )
    )


def _settle(message_id: int, *, sid: str, status: str, **fields) -> bool:
    """Twilio holds the message: keep its SID (once) and move the status forward; True if it moved."""
    Message.objects.filter(pk=message_id, twilio_sid__isnull=True).update(twilio_sid=sid)
    # With a SID the outcome is known: an "unknown" row is simply in flight at Twilio.
    Message.objects.filter(pk=message_id, status=MessageStatus.UNKNOWN).update(status=MessageStatus.SENDING)
    if status == MessageStatus.SENT:
        fields.setdefault("sent_at", timezone.now())
    return _move_forward(message_id, status, **fields)


def _backoff_seconds(attempt: int) -> float:
    base = settings.PRONTO["SMS_RETRY_BASE_SECONDS"]
    # Jitter spreads a burst of retries after a Twilio outage instead of replaying it in lockstep.
    return min(base * 2 ** (attempt - 1), 600) * random.uniform(0.8, 1.2)


def _give_up(message: Message, error: SmsError, *, reason: str) -> None:
    if not _move_forward(
        message.pk, MessageStatus.FAILED, error_code=error.code, error_message=error.message[:255]
    ):
        return
    if error.code == UNSUBSCRIBED:
        customer_sms_opt_out(mobile=message.to_number, at=timezone.now())
    if message.incident_id is not None:
        recovery_services.incident_flag_for_call(incident=message.incident, reason=reason)  # type: ignore[arg-type]  # incident_id is set
    _next_in_line(message)


# What the incident must not have reached for each kind to still make sense when it leaves:
# "on the way at 14:30" once the crew is on site, "on site" once running again.
SUPERSEDED_AT: dict[str, tuple[str, ...]] = {
    MessageKind.ACKNOWLEDGEMENT: (S.ON_SITE, S.RECOVERED, S.CLOSED, S.CANCELLED),
    MessageKind.ETA: (S.ON_SITE, S.RECOVERED, S.CLOSED, S.CANCELLED),
    MessageKind.DELAY: (S.ON_SITE, S.RECOVERED, S.CLOSED, S.CANCELLED),
    MessageKind.LAST_MILE: (S.ON_SITE, S.RECOVERED, S.CLOSED, S.CANCELLED),
    MessageKind.ARRIVAL: (S.RECOVERED, S.CLOSED, S.CANCELLED),
}
# How long a text waits before asking again for a slot while a breakdown's texts are due.
BULK_WAIT_SECONDS = 1.0


def _superseded(message: Message) -> bool:
    if message.incident is None:
        return False
    if message.kind == MessageKind.CANCELLED:
        # The arrival time it calls off never reached the customer (it was superseded itself).
        return not selectors.incident_arrival_time_told(incident=message.incident)
    return message.incident.status in SUPERSEDED_AT.get(message.kind, ())


def _next_in_line(message: Message) -> None:
    """This text has left (or never will): the incident's next one may go now."""
    if message.incident_id is None:
        return
    following = selectors.next_queued_message(incident_id=message.incident_id)
    if following is not None:
        _enqueue(following.pk)


def _close_unsent(message: Message, status: str, **fields) -> SendOutcome:
    if _move_forward(message.pk, status, next_attempt_at=None, **fields):
        _next_in_line(message)
    return DONE


def _senders_for(message: Message) -> list[str]:
    """The numbers this text may leave from: a customer keeps the number they were texted from
    (their texts stay in order and in one thread), a new one gets the pool's freest number."""
    pool = list(settings.TWILIO_SENDER_POOL)
    if not pool:
        return [message.from_number or settings.TWILIO_FROM or "default"]
    used = selectors.sender_last_used(to_number=message.to_number, senders=pool)
    return [used] if used else pool


def message_send(*, message_id: int) -> SendOutcome:
    """Send one queued SMS, at most once and in its incident's order.

    It waits while an earlier text of the incident is queued, retrying or in flight (that one
    sends it on when it leaves); it is not sent if the incident overtook it; the row is claimed
    by a conditional UPDATE before the provider is called."""
    message = Message.objects.select_related("customer", "incident").filter(pk=message_id).first()
    if message is None or message.status != MessageStatus.QUEUED:
        return DONE
    if selectors.earlier_message_pending(message=message):
        return DONE
    if message.customer is not None and not message.customer.can_receive_sms:
        # They texted STOP after this was queued.
        return _close_unsent(message, MessageStatus.NOT_SENT, not_sent_reason=NotSentReason.OPTED_OUT)
    if _superseded(message):
        return _close_unsent(message, MessageStatus.SUPERSEDED)
    if message.kind in BULK_KINDS and selectors.transactional_messages_due(now=timezone.now()):
        return SendOutcome(retry_in=BULK_WAIT_SECONDS)
    content_sid: str | None = ""
    senders = _senders_for(message)
    if message.channel == Channel.WHATSAPP:
        content_sid, senders = _whatsapp_template(message), [whatsapp.sender()]
        if content_sid is None:
            _sms_fallback_queue(
                message, why="no approved template for this message outside the 24-hour window"
            )
            return _close_unsent(message, MessageStatus.NOT_SENT, not_sent_reason=NotSentReason.NO_TEMPLATE)
    try:
        sender, wait = send_slot_take_any(senders=senders, segments=message.segments)
    except redis.RedisError:
        logger.warning("SMS rate limiter unavailable; sending without it.", exc_info=True)
        sender, wait = senders[0], 0.0
    if wait > 0:
        return SendOutcome(retry_in=wait)
    if sender == "default":
        sender = ""

    now = timezone.now()
    claimed = Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING,
        from_number=sender,
        content_sid=content_sid,
        sending_started_at=now,
        status_updated_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return DONE  # another task got there first
    message.refresh_from_db()

    try:
        sent = get_backend().send(
            to=whatsapp.address(number=message.to_number, channel=message.channel),
            body=message.body,
            status_callback=_status_callback_url(message),
            sender=whatsapp.address(number=sender, channel=message.channel) or None,
            content_sid=content_sid or None,
            content_variables=whatsapp.template_variables(body=message.body) if content_sid else None,
        )
    except PermanentSmsError as error:
        if message.channel == Channel.WHATSAPP and error.code in whatsapp.FALLBACK_CODES:
            if _move_forward(
                message.pk, MessageStatus.FAILED, error_code=error.code, error_message=error.message[:255]
            ):
                _sms_fallback_queue(message, why=f"error {error.code}")
                _next_in_line(message)
            return DONE
        _give_up(message, error, reason=f"SMS could not be sent ({error.code}: {error.message}); call them.")
        return DONE
    except TransientSmsError as error:
        if message.attempts >= settings.PRONTO["SMS_MAX_ATTEMPTS"]:
            _give_up(
                message, error, reason=f"SMS failed {message.attempts} times ({error.message}); call them."
            )
            return DONE
        delay = _backoff_seconds(message.attempts)
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.QUEUED,
            next_attempt_at=now + timedelta(seconds=delay),
            error_code=error.code,
            error_message=error.message[:255],
            status_updated_at=timezone.now(),
        )
        return SendOutcome(retry_in=delay)
    except UnknownOutcomeSmsError as error:
        # The incident's next text waits until this one is settled (callback or sweeper).
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.UNKNOWN, error_message=error.message[:255], status_updated_at=timezone.now()
        )
        return DONE

    # A fast status callback may already have filled the SID and moved the status on.
    _settle(message.pk, sid=sent.sid, status=TWILIO_STATUSES.get(sent.status, MessageStatus.SENDING))
    _next_in_line(message)
    return DONE


# WhatsApp -------------------------------------------------------------------------------------


def _whatsapp_template(message: Message) -> str | None:
    """ "" to send free text (the customer wrote within 24 hours), else the approved template's
    ContentSid, or None when there is no template for this message in their language."""
    if message.customer is not None and selectors.whatsapp_window_open(
        customer=message.customer, now=timezone.now(), hours=whatsapp.WINDOW_HOURS
    ):
        return ""
    return whatsapp.template_for(kind=message.kind, language=message.language)


def _sms_fallback_queue(message: Message, *, why: str) -> Message | None:
    """WhatsApp could not carry this text: the same text goes by SMS, once, noted on the timeline.

    Nothing is queued when the customer gets our SMS anyway (they chose both) or cannot get them."""
    customer = message.customer
    if message.channel != Channel.WHATSAPP or customer is None or not customer.can_receive_sms:
        return None
    if Channel.SMS in _channels_for(customer):
        return None
    try:
        with transaction.atomic():
            fallback = _record_outbound(
                customer=customer,
                incident=message.incident,
                kind=message.kind,
                body=message.body,
                by=message.sent_by,
                channel=Channel.SMS,
                fallback_of=message,
            )
            if message.incident is not None:
                recovery_services.incident_note_add(
                    incident=message.incident,
                    text=f"WhatsApp did not reach the customer ({why}): the "
                    f"{message.get_kind_display().lower()} text went by SMS instead.",
                    by=None,
                    at=timezone.now(),
                    channel=TimelineChannel.SYSTEM,
                )
    except IntegrityError:
        return None  # already fell back (a repeated callback), or a once-only text went by SMS
    return fallback


# Twilio's callbacks and the customer's replies -----------------------------------------------


def message_status_update(
    *, message_id: int | None, sid: str, status: str, error_code: int | None = None
) -> Message | None:
    """Apply a Twilio status callback. Repeats and late arrivals change nothing."""
    found = Message.objects.filter(pk=message_id) if message_id else Message.objects.filter(twilio_sid=sid)
    message = found.select_related("incident", "customer").first()
    new_status = TWILIO_STATUSES.get(status)
    if message is None or new_status is None or (message.twilio_sid and message.twilio_sid != sid):
        return message
    was_in_doubt = message.twilio_sid is None and message.status != MessageStatus.QUEUED
    with transaction.atomic():
        fields: dict = {"error_code": error_code} if error_code else {}
        if new_status == MessageStatus.DELIVERED:
            fields["delivered_at"] = timezone.now()
        moved = _settle(message.pk, sid=sid, status=new_status, **fields)
        if moved and new_status in (MessageStatus.UNDELIVERED, MessageStatus.FAILED):
            if error_code == UNSUBSCRIBED:
                customer_sms_opt_out(mobile=message.to_number, at=timezone.now())
            fell_back = _sms_fallback_queue(message, why=f"{status}, error {error_code or 'unknown'}")
            if message.incident_id is not None and fell_back is None:
                recovery_services.incident_flag_for_call(
                    incident=message.incident,  # type: ignore[arg-type]  # incident_id is set
                    reason=f"SMS {status} (error {error_code or 'unknown'}); the customer may not know.",
                )
        if was_in_doubt:
            transaction.on_commit(lambda: _next_in_line(message))
    message.refresh_from_db()
    return message


def _help_branch(customer: Customer) -> Branch | None:
    incident = selectors.latest_incident_for_customer(customer=customer)
    if incident is not None:
        return incident.rental.branch
    rental = customer.rentals.select_related("branch").order_by("-starts_at").first()
    return rental.branch if rental else None


# The incident's record of each answer to the arrival-time text's options.
REPLY_ANSWERS = {Meaning.CONFIRM: CustomerAnswer.CONFIRMED, Meaning.WORKS: CustomerAnswer.WORKS}


def inbound_message_receive(*, from_number: str, to_number: str, body: str, sid: str) -> Message:
    """A customer texted us: opt out, opt in, ask for help, answer the survey or the arrival-time
    text, or talk to the desk."""
    existing = Message.objects.filter(twilio_sid=sid).first()
    if existing is not None:
        return existing  # Twilio retried the webhook
    # WhatsApp comes as "whatsapp:+39…"; the ledger keeps the number and the channel apart.
    from_number, channel = whatsapp.number_and_channel(from_number)
    to_number, _ = whatsapp.number_and_channel(to_number)
    now = timezone.now()
    customer = selectors.customer_for_number(number=from_number)
    reading = reply_read(body)
    with transaction.atomic():
        incident = selectors.open_incident_for_customer(customer=customer) if customer else None
        encoding, segments = segment_count(body)
        message = Message.objects.create(
            incident=incident,
            customer=customer,
            direction=Direction.INBOUND,
            channel=channel,
            kind=MessageKind.REPLY,
            to_number=to_number,
            from_number=from_number,
            language=customer.language if customer else "",
            body=body,
            segments=min(segments, 10),
            encoding=encoding,
            status=MessageStatus.RECEIVED,
            twilio_sid=sid,
            created_at=now,
            status_updated_at=now,
        )
        if reading.meaning == Meaning.OPT_OUT:
            customer_sms_opt_out(mobile=from_number, at=now)
        elif reading.meaning == Meaning.OPT_IN:
            customer_sms_opt_in(mobile=from_number)
        elif reading.meaning in (Meaning.CHOOSE_WHATSAPP, Meaning.CHOOSE_SMS):
            chosen = (
                ChannelPreference.WHATSAPP
                if reading.meaning == Meaning.CHOOSE_WHATSAPP
                else ChannelPreference.SMS
            )
            customer_channel_choose(mobile=from_number, channel=chosen)
            if customer is not None:
                # Answered where they wrote: a WhatsApp reply is inside the window they just opened.
                _record_outbound(
                    customer=customer,
                    incident=incident,
                    kind=MessageKind.CHANNEL,
                    body=channel_chosen_text(customer=customer, channel=chosen),
                    channel=channel,
                )
        elif customer is None:
            pass  # not one of our customers: kept in the ledger, nobody to attach it to
        elif reading.meaning == Meaning.HELP:
            branch = _help_branch(customer)
            if branch is not None:
                _record_outbound(
                    customer=customer,
                    incident=incident,
                    kind=MessageKind.HELP,
                    body=help_text(customer=customer, branch=branch),
                    channel=channel,
                )
        elif (
            reading.meaning == Meaning.SCORE
            and reading.score is not None
            and (survey := selectors.open_survey_incident(customer=customer, now=now))
        ):
            recovery_services.survey_response_record(incident=survey, score=reading.score, at=now)
            Message.objects.filter(pk=message.pk).update(incident=survey)
        elif incident is not None:
            # "1"/"OK" or "2"/"FUNZIONA" answer the arrival-time text while the crew is awaited;
            # otherwise (and any other words) the text is for the dispatcher.
            answer = answer_read(reading)
            answered = answer is not None and recovery_services.customer_reply_record(
                incident=incident, answer=REPLY_ANSWERS[answer], text=body, at=now
            )
            if not answered:
                recovery_services.customer_message_attach(incident=incident, text=body, at=now)
        else:
            latest = selectors.latest_incident_for_customer(customer=customer)
            if latest is not None:
                # After recovery a reply still deserves a reader: the desk sees it on the last incident.
                recovery_services.customer_message_attach(incident=latest, text=body, at=now)
                Message.objects.filter(pk=message.pk).update(incident=latest)
    return message


# Periodic work -------------------------------------------------------------------------------


def messages_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Re-enqueue queued rows whose task was lost, and settle rows a send never came back from.

    A row left in sending (worker killed) or unknown (answer lost) is looked up at Twilio before
    anything else: found, it keeps Twilio's SID; not found, it is queued again and sent once."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.PRONTO["SMS_SWEEP_GRACE_SECONDS"])
    stale = timedelta(seconds=settings.PRONTO["SMS_STALE_SENDING_SECONDS"])
    counts = {"requeued": 0, "found": 0, "resent": 0}

    for message_id in selectors.messages_due(now=now - grace).values_list("pk", flat=True):
        _enqueue(message_id)
        counts["requeued"] += 1

    backend = get_backend()
    for message in selectors.messages_in_doubt(older_than=now - stale).select_related("incident"):
        try:
            found = backend.find_sent(
                to=whatsapp.address(number=message.to_number, channel=message.channel),
                body=message.body,
                since=(message.sending_started_at or now) - timedelta(minutes=1),
            )
        except TransientSmsError:
            logger.warning("Could not ask the provider about SMS %s; trying next sweep.", message.pk)
            continue
        if found is not None:
            _settle(
                message.pk, sid=found.sid, status=TWILIO_STATUSES.get(found.status, MessageStatus.SENDING)
            )
            _next_in_line(message)
            counts["found"] += 1
            continue
        if message.attempts >= settings.PRONTO["SMS_MAX_ATTEMPTS"]:
            _give_up(
                message,
                TransientSmsError("No answer from the provider"),
                reason="SMS never confirmed; call them.",
            )
            continue
        requeued = Message.objects.filter(
            pk=message.pk, status=message.status, sending_started_at=message.sending_started_at
        ).update(status=MessageStatus.QUEUED, next_attempt_at=now, status_updated_at=now)
        if requeued:
            _enqueue(message.pk)
            counts["resent"] += 1
    return counts


def surveys_queue_due(*, now: datetime | None = None) -> int:
    """Ask each recovered customer the 0-10 question, a configured time after recovery."""
    now = now or timezone.now()
    delay = timedelta(minutes=settings.PRONTO["SURVEY_DELAY_MINUTES"])
    # Only recent recoveries: a first run after an outage must not survey last month's customers.
    due = selectors.incidents_due_a_survey(
        recovered_before=now - delay, recovered_after=now - delay - timedelta(days=1)
    )
    queued = 0
    for incident in due.select_related("rental__customer", "rental__branch", "technician__user"):
        if customer_message_queue(incident=incident, kind=MessageKind.SURVEY) is not None:
            queued += 1
    return queued


# Personal data -------------------------------------------------------------------------------

RETENTION_BATCH = 5000


def customer_messages_erase(*, customer: Customer, number: str, at: datetime) -> int:
    """Blank the bodies and the customer's number on every SMS to or from them; keep the rows.

    Status, kind, direction, segments and times stay, so delivery figures do not change. Texts
    still queued are cancelled as opted out. Rows from the number that matched no customer when
    they arrived are theirs too; rows of another customer sharing the number are not."""
    mine = Q(customer=customer) | Q(incident__rental__customer=customer)
    if number:
        mine |= Q(customer__isnull=True) & (Q(from_number=number) | Q(to_number=number))
    messages = Message.objects.filter(mine)
    messages.filter(status=MessageStatus.QUEUED).update(
        status=MessageStatus.NOT_SENT,
        not_sent_reason=NotSentReason.OPTED_OUT,
        next_attempt_at=None,
        status_updated_at=at,
    )
    erased = messages.update(body="", error_message="", body_erased_at=Coalesce("body_erased_at", Value(at)))
    # Twilio's error texts quote the number ("The 'To' number +39... is not valid"): gone above.
    messages.filter(direction=Direction.OUTBOUND).update(to_number=ERASED_MOBILE)
    messages.filter(direction=Direction.INBOUND).update(from_number=ERASED_MOBILE)
    return erased


def message_bodies_expire(*, older_than: datetime, at: datetime) -> int:
    """Delete SMS bodies older than the retention period, in batches; the rows stay for the figures.

    Twilio's error texts can quote the customer's number, so they go with the body."""
    expired = 0
    while True:
        batch = list(
            Message.objects.filter(created_at__lt=older_than, body_erased_at__isnull=True)
            .exclude(status__in=IN_FLIGHT_STATUSES)
            .order_by("created_at")
            .values_list("pk", flat=True)[:RETENTION_BATCH]
        )
        if not batch:
            return expired
        # One short transaction per batch: the first run after an upgrade may touch millions of rows.
        expired += Message.objects.filter(pk__in=batch, body_erased_at__isnull=True).update(
            body="", error_message="", body_erased_at=at
        )
