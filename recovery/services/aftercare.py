"""After the recovery: goodwill credits, the customer's verdict, detractor follow-ups and the
customer's recovery record."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from core.roles import signed_in, user_is_manager
from fleet.models import Customer
from recovery.errors import IllegalTransition, InvalidRequest, NotPermitted
from recovery.events import IncidentEvent, incident_event_announce
from recovery.figures import nps_category, recovered_incidents, recovery_summary_of
from recovery.models import (
    Channel,
    CustomerRecoveryRecord,
    EventKind,
    FollowUp,
    FollowUpStatus,
    GoodwillCredit,
    GoodwillStatus,
    Incident,
    NpsCategory,
    SurveyResponse,
)
from recovery.services import _steps as steps
from recovery.services._steps import User

# Timeline lines, translated where they are shown (console); the stored detail stays English.
GOODWILL_DETAILS: dict[str, str] = {
    GoodwillStatus.GRANTED: gettext_noop("%(amount)s granted"),
    GoodwillStatus.AWAITING_APPROVAL: gettext_noop("%(amount)s awaiting a manager"),
    GoodwillStatus.APPROVED: gettext_noop("%(amount)s approved by a manager"),
    GoodwillStatus.REJECTED: gettext_noop("%(amount)s rejected by a manager"),
}
SURVEY_DETAILS: dict[str, str] = {
    NpsCategory.PROMOTER: gettext_noop("%(score)s/10 (promoter)"),
    NpsCategory.PASSIVE: gettext_noop("%(score)s/10 (passive)"),
    NpsCategory.DETRACTOR: gettext_noop("%(score)s/10 (detractor)"),
}

# How a credit's state reads in a message, in the reader's language.
CREDIT_WORDS: dict[str, Promise] = {
    GoodwillStatus.GRANTED: gettext_lazy("granted"),
    GoodwillStatus.AWAITING_APPROVAL: gettext_lazy("awaiting approval"),
    GoodwillStatus.APPROVED: gettext_lazy("approved"),
    GoodwillStatus.REJECTED: gettext_lazy("rejected"),
}


def goodwill_grant(
    *,
    incident: Incident,
    amount_eur: Decimal,
    reason: str,
    by: User,
    channel: str = Channel.API,
    at: datetime | None = None,
) -> GoodwillCredit:
    """Anyone handling the incident may make it right up to the limit without asking (the
    Ritz-Carlton rule); beyond it, a manager approves. Managers' own grants need no approval."""
    at = at or timezone.now()
    if amount_eur <= 0:
        raise InvalidRequest(gettext("The credit must be more than zero."))
    if not reason.strip():
        raise InvalidRequest(gettext("Say what the credit makes up for."))
    person = signed_in(by)
    if person is None:
        raise NotPermitted(gettext("Sign in to grant a credit: every credit names who granted it."))
    limit = Decimal(settings.PRONTO["GOODWILL_LIMIT_EUR"])
    with transaction.atomic():
        incident = steps.lock(incident)
        granted = incident.goodwill_credits.filter(
            status__in=(GoodwillStatus.GRANTED, GoodwillStatus.APPROVED)
        ).aggregate(total=Sum("amount_eur"))["total"] or Decimal(0)
        if user_is_manager(by):
            status = GoodwillStatus.APPROVED
        elif granted + amount_eur <= limit:
            status = GoodwillStatus.GRANTED
        else:
            status = GoodwillStatus.AWAITING_APPROVAL
        credit = GoodwillCredit.objects.create(
            incident=incident,
            amount_eur=amount_eur,
            reason=reason.strip(),
            status=status,
            granted_by=person,
            granted_at=at,
            decided_by=signed_in(by) if status == GoodwillStatus.APPROVED else None,
            decided_at=at if status == GoodwillStatus.APPROVED else None,
        )
        steps.event(
            incident,
            EventKind.GOODWILL,
            at=at,
            by=by,
            channel=channel,
            detail=f"€{amount_eur} {credit.get_status_display().lower()}: {credit.reason}",
            data={"credit_id": credit.pk, "status": status},
            i18n=(GOODWILL_DETAILS[status], {"amount": str(amount_eur), "note": credit.reason}),
        )
    return credit


def goodwill_decide(
    *, credit: GoodwillCredit, approve: bool, by: User, channel: str = Channel.API, at: datetime | None = None
) -> GoodwillCredit:
    at = at or timezone.now()
    if not user_is_manager(by):
        raise NotPermitted(gettext("Only a manager can approve a credit above the limit."))
    with transaction.atomic():
        credit = GoodwillCredit.objects.select_for_update().get(pk=credit.pk)
        if credit.status != GoodwillStatus.AWAITING_APPROVAL:
            raise IllegalTransition(
                gettext("This credit is already %(status)s.") % {"status": CREDIT_WORDS[credit.status]}
            )
        credit.status = GoodwillStatus.APPROVED if approve else GoodwillStatus.REJECTED
        credit.decided_by = signed_in(by)
        credit.decided_at = at
        credit.save()
        steps.event(
            credit.incident,
            EventKind.GOODWILL,
            at=at,
            by=by,
            channel=channel,
            detail=f"€{credit.amount_eur} {credit.get_status_display().lower()}",
            data={"credit_id": credit.pk, "status": credit.status},
            i18n=(GOODWILL_DETAILS[credit.status], {"amount": str(credit.amount_eur)}),
        )
    return credit


def customer_record_refresh(*, customer: Customer) -> CustomerRecoveryRecord:
    """Recompute the customer's recovery record from the stored per-incident metrics."""
    summary = recovery_summary_of(recovered_incidents().filter(rental__customer=customer))
    record, _ = CustomerRecoveryRecord.objects.update_or_create(
        customer=customer,
        defaults={
            "recoveries": summary.recoveries,
            "median_time_to_recovery": summary.median_time_to_recovery,
            "sla_met_pct": summary.sla_met_pct,
            "promises_kept_pct": summary.promises_kept_pct,
        },
    )
    return record


def survey_response_record(*, incident: Incident, score: int, at: datetime | None = None) -> SurveyResponse:
    """The customer's verdict. A detractor opens a follow-up for a manager."""
    at = at or timezone.now()
    if not 0 <= score <= 10:
        raise InvalidRequest(gettext("The score goes from 0 to 10."))
    with transaction.atomic():
        response, created = SurveyResponse.objects.get_or_create(
            incident=incident, defaults={"score": score, "category": nps_category(score), "answered_at": at}
        )
        if not created:
            return response
        steps.event(
            incident,
            EventKind.SURVEY_ANSWERED,
            at=at,
            by=None,
            channel=Channel.SMS,
            detail=f"{score}/10 ({response.get_category_display().lower()})",
            i18n=(SURVEY_DETAILS[response.category], {"score": score}),
        )
        if response.category == NpsCategory.DETRACTOR:
            FollowUp.objects.get_or_create(incident=incident, defaults={"opened_at": at})
            incident_event_announce(incident=incident, event=IncidentEvent.DETRACTOR)
    return response


def follow_up_update(
    *,
    follow_up: FollowUp,
    by: User,
    assigned_to: User | None = None,
    note: str | None = None,
    close: bool = False,
    at: datetime | None = None,
) -> FollowUp:
    at = at or timezone.now()
    if not user_is_manager(by):
        raise NotPermitted(gettext("Only managers handle detractor follow-ups."))
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if follow_up.status == FollowUpStatus.CLOSED:
            raise IllegalTransition(gettext("This follow-up is closed."))
        if assigned_to is not None:
            follow_up.assigned_to = signed_in(assigned_to)
        if note:
            follow_up.note = f"{follow_up.note}\n{note}".strip()
        if close:
            follow_up.status = FollowUpStatus.CLOSED
            follow_up.closed_at = at
        follow_up.save()
    return follow_up
