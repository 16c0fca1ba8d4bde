"""Small display helpers: durations as a dispatcher reads them, SLA colours, percentages."""

from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext

from console import labels
from console.money import format_amount
from fleet.search import highlight as search_highlight
from notifications import selectors as sms_selectors
from recovery.workflow import STATUS_WORDS

register = template.Library()


@register.filter
def minutes_text(value: timedelta | None) -> str:
    """1 h 05 min, 12 min, -8 min; an em dash when there is nothing to show."""
    if value is None:
        return "—"
    total = round(value.total_seconds() / 60)
    sign = "-" if total < 0 else ""
    total = abs(total)
    hours, minutes = divmod(total, 60)
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    return f"{sign}{minutes} min"


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def sla_state(*, due: datetime, eta: datetime | None, on_site: bool, now: datetime) -> str:
    """ok, warning (amber: under the warning minutes) or danger (red: breached, or the promised
    arrival is after the deadline). The console's script recomputes it every second the same way."""
    left = due - now
    if left <= timedelta(0) or (eta is not None and not on_site and eta > due):
        return "danger"
    if left < timedelta(minutes=settings.PRONTO["SLA_WARNING_MINUTES"]):
        return "warning"
    return "ok"


@register.inclusion_tag("console/partials/sla.html")
def sla_countdown(incident):
    now = timezone.now()
    on_site = incident.on_site_at is not None
    eta_late = incident.current_eta is not None and not on_site and incident.current_eta > incident.sla_due_at
    return {
        "due": incident.sla_due_at,
        "left": incident.sla_due_at - now,
        "state": sla_state(due=incident.sla_due_at, eta=incident.current_eta, on_site=on_site, now=now),
        "eta_late": eta_late,
        "overdue": now - incident.sla_due_at,
        "warning_minutes": settings.PRONTO["SLA_WARNING_MINUTES"],
    }


@register.inclusion_tag("console/partials/sms_reach.html")
def sms_reach(incident):
    """'Opted out: phone them' or 'SMS failed: phone them' when texting no longer reaches the customer."""
    return {"reach": sms_selectors.incident_sms_reach(incident=incident), "incident": incident}


@register.filter
def label(value: str, kind: str) -> str:
    """{{ incident.status|label:"status" }}: the translated name of a stored code."""
    table = getattr(labels, kind.upper(), {})
    return table.get(value, value)


@register.filter
def fill_late(sentence: str, overdue: timedelta) -> str:
    """Fill the "breached {late} ago" sentence with the overdue time, as the console's script does."""
    return sentence.replace("{late}", minutes_text(overdue))


def _detail_argument(key: str, value):
    if key == "amount":
        return format_amount(Decimal(value))
    if key == "status":
        return STATUS_WORDS.get(value, value)
    return value


@register.filter
def event_detail(event) -> str:
    """The timeline line in the page's language when the event carries its message id, else as stored."""
    i18n = (event.data or {}).get("i18n")
    if not i18n:
        return event.detail
    text, arguments = i18n
    try:
        line = gettext(text) % {key: _detail_argument(key, value) for key, value in arguments.items()}
    except (KeyError, TypeError, ValueError, ArithmeticError):
        # A translation that lost a placeholder must not take the incident page down with it.
        return event.detail
    return f"{line}: {arguments['note']}" if arguments.get("note") else line


@register.filter
def money(value) -> str:
    """An amount in euro with the page language's separators: 1.250,50 € or €1,250.50."""
    return "—" if value is None or value == "" else format_amount(value)


@register.filter
def number(value) -> str:
    """A count with thousands separators in the page's language (1.500 or 1,500)."""
    if value is None or value == "":
        return "—"
    return formats.number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def highlight(text, query: str):
    """The words of the search marked in `text` (accents and case ignored)."""
    return search_highlight(str(text or ""), query or "")
