"""The console's pages. Thin: each view reads through selectors, writes through one recovery
service, and turns a domain error into a message on the page (never an error page)."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from console import board as desk_board
from console import charts, labels
from console import selectors as console_selectors
from console import services as console_services
from console.forms import (
    DispatchForm,
    EtaForm,
    FollowUpForm,
    GoodwillDecisionForm,
    GoodwillForm,
    IncidentLogForm,
    LanguageForm,
    ReasonForm,
    RecoverForm,
    ReplyForm,
)
from console.permissions import desk_required, manager_required
from core.audit import audit_record
from core.db import reports_database, reports_reads
from core.errors import DomainError
from core.models import AuditAction, AuditChannel
from core.roles import user_is_manager
from fleet.models import Machine, MachineCategory, RentalStatus, Technician
from fleet.selectors import branch_list, category_list, rental_list, rental_search
from notifications import demo as sms_demo
from notifications import services as sms_services
from recovery import loyalty, selectors, services
from recovery.errors import MachineUnavailable
from recovery.models import (
    OPEN_STATUSES,
    Channel,
    DowntimeCredit,
    FollowUp,
    GoodwillCredit,
    GoodwillStatus,
    IncidentStatus,
    Outcome,
)
from recovery.planning import Crew
from telematics import selectors as telematics_selectors


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _to_incident(pk: int) -> HttpResponse:
    return redirect("console:incident", pk=pk)


def _incident_missing(request: HttpRequest, pk: int) -> HttpResponse:
    """A mistyped or erased incident number: our page, even under DEBUG (where Django shows its own)."""
    return render(request, "console/incident_missing.html", {"number": pk}, status=404)


# --- Live board -------------------------------------------------------------------------------


def _board_context(request: HttpRequest) -> dict:
    # Each dispatcher's own filters (console/board.py), kept on their profile.
    filters = desk_board.filters_for(request)
    now = timezone.now()
    counts = desk_board.counts(desk_board.apply_filters(selectors.open_incidents(), filters), now=now)
    return {
        "page": console_selectors.board_page(
            number=request.GET.get("page"),
            per_page=settings.CONSOLE_BOARD_PAGE_SIZE,
            only=filters.q(),
            total=counts.open,
        ),
        "counts": counts,
        "filters": filters,
        "now": now,
        "poll_seconds": settings.CONSOLE_BOARD_POLL_SECONDS,
    }


@desk_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request)
    context.update(
        {
            "branches": branch_list(),
            "categories": category_list(),
            "statuses": [(status, labels.STATUS[status]) for status in OPEN_STATUSES],
        }
    )
    return render(request, "console/board.html", context)


@desk_required
@require_GET
def board_rows(request: HttpRequest) -> HttpResponse:
    """The table region alone: htmx swaps it every few seconds, nothing else on the page moves."""
    return render(request, "console/partials/board_rows.html", _board_context(request))


# --- Intake -----------------------------------------------------------------------------------


def _search_results(query: str):
    return list(rental_search(query=query)) if len(query.strip()) >= 2 else []


def _active_rental(raw: str | None):
    # The id comes from a link or a hidden field; anything else than a number means "none chosen".
    if not raw or not raw.isdigit():
        return None
    return rental_list().filter(pk=int(raw), status=RentalStatus.ACTIVE).first()


@desk_required
@require_GET
def intake_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    rentals = _search_results(query)
    if rentals:
        # The results show customers' names and phones: one audit entry naming them all.
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            channel=AuditChannel.CONSOLE,
            object_type="rental_search",
            customer_ids=[rental.customer_id for rental in rentals],
        )
    return render(request, "console/partials/rental_results.html", {"query": query, "rentals": rentals})


@desk_required
def intake(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = IncidentLogForm(request.POST)
        if form.is_valid():
            rental = rental_list().filter(pk=form.cleaned_data["rental"]).first()
            if rental is None:
                messages.error(request, _("That rental no longer exists; search again."))
                return redirect("console:intake")
            try:
                incident = services.incident_log(
                    rental=rental,
                    reported_by=request.user,
                    channel=Channel.PHONE,
                    symptom=form.cleaned_data["symptom"],
                    severity=form.cleaned_data["severity"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(f"{reverse('console:intake')}?rental={rental.pk}")
            messages.success(request, _("Breakdown logged. Choose a replacement below and dispatch it."))
            return _to_incident(incident.pk)
        _form_errors(request, form)
        selected = _active_rental(request.POST.get("rental"))
    else:
        form = IncidentLogForm()
        selected = _active_rental(request.GET.get("rental"))
    query = request.GET.get("q", "")
    open_incident = None
    if selected is not None:
        form = IncidentLogForm(initial={"rental": selected.pk}, data=request.POST or None)
        open_incident = selectors.open_incidents().filter(broken_machine=selected.machine).first()
    return render(
        request,
        "console/intake.html",
        {
            "form": form,
            "query": query,
            "rentals": _search_results(query),
            "selected": selected,
            "open_incident": open_incident,
        },
    )


# --- Incident page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionRow:
    suggestion: selectors.Suggestion
    technician: Crew | None  # the crew the plan sends: the one dispatch_start would pick
    category_name: str  # in the page's language; the suggestion carries the stored (English) name


def _suggestion_rows(incident) -> tuple[list[SuggestionRow], str]:
    found = selectors.incident_replacement_suggestions(incident=incident)
    # The suggestions carry the stored (English) category name; the page shows its own language's.
    names = {
        c.code: c.display_name
        for c in MachineCategory.objects.filter(code__in={s.category_code for s in found.suggestions})
    }
    rows = [
        SuggestionRow(s, s.plan.crew, names.get(s.category_code, s.category_name)) for s in found.suggestions
    ]
    return rows, found.reason


def _map_data(incident, rows: list[SuggestionRow], repairers) -> dict:
    technician_ids = {r.technician.technician_id for r in rows if r.technician} | {
        t.technician_id for t in repairers
    }
    if incident.technician_id:
        technician_ids.add(incident.technician_id)
    machine_ids = [r.suggestion.machine_id for r in rows]
    if incident.replacement_machine_id:
        machine_ids.append(incident.replacement_machine_id)
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "towns": [{"name": b.name, "lat": b.lat, "lon": b.lon} for b in branch_list()],
        "site": {
            "lat": incident.site_lat,
            "lon": incident.site_lon,
            "label": f"{incident.rental.site_address} ({incident.rental.customer.company})",
        },
        "machines": [
            {
                "lat": m.lat,
                "lon": m.lon,
                "short": m.fleet_number,
                "label": f"{m.fleet_number} {m.make} {m.model}",
            }
            for m in Machine.objects.filter(pk__in=machine_ids, lat__isnull=False)
        ],
        "technicians": [
            {"lat": t.lat, "lon": t.lon, "label": str(t)}
            for t in Technician.objects.filter(pk__in=technician_ids, lat__isnull=False).select_related(
                "user"
            )
        ],
    }


@desk_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_list().filter(pk=pk).first()
    if incident is None:
        return _incident_missing(request, pk)
    rows: list[Any] = []
    reason = ""
    repairers = []
    if incident.status == IncidentStatus.REPORTED:
        rows, reason = _suggestion_rows(incident)
        repairers = selectors.technician_suggestions(
            category=incident.broken_machine.category, near=(incident.site_lat, incident.site_lon)
        )
    timeline = list(selectors.incident_timeline(incident=incident))
    actions = services.allowed_actions(incident=incident)
    console_services.conversation_mark_read(incident=incident)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        channel=AuditChannel.CONSOLE,
        object_type="incident",
        object_id=incident.pk,
        customer=incident.rental.customer,
    )
    return render(
        request,
        "console/incident.html",
        {
            "incident": incident,
            "suggestions": rows,
            "suggestions_reason": reason,
            "repairers": repairers,
            "map_data": _map_data(incident, rows, repairers),
            "timeline": timeline,
            "conversation": console_selectors.conversation(incident=incident),
            "can_text": incident.rental.customer.can_receive_sms,
            "customer_phone": sms_demo.customer_phone_available(),
            "poll_seconds": settings.CONSOLE_BOARD_POLL_SECONDS,
            "actions": actions,
            "outcomes": Outcome.choices,
            # Both forms have a "reason": their own id prefixes keep each label on its own field.
            "eta_form": EtaForm(
                initial={"eta": timezone.localtime(incident.current_eta)} if incident.current_eta else None,
                auto_id="eta-%s",
            ),
            "goodwill_form": GoodwillForm(auto_id="goodwill-%s"),
            "credits": incident.goodwill_credits.select_related("granted_by", "decided_by"),
            "goodwill_limit": settings.PRONTO["GOODWILL_LIMIT_EUR"],
            "is_manager": user_is_manager(request.user),
            "can_revise_eta": incident.status in (IncidentStatus.DISPATCHED, IncidentStatus.EN_ROUTE),
            "awaiting": GoodwillStatus.AWAITING_APPROVAL,
            "downtime_credit": DowntimeCredit.objects.filter(incident=incident).first(),
        },
    )


@desk_required
@require_GET
def incident_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """The messages alone, polled so delivery statuses and replies appear while the page is open."""
    incident = selectors.incident_list().filter(pk=pk).first()
    if incident is None:
        return _incident_missing(request, pk)
    console_services.conversation_mark_read(incident=incident)
    return render(
        request,
        "console/partials/conversation.html",
        {"conversation": console_selectors.conversation(incident=incident)},
    )


@desk_required
@require_POST
def incident_reply(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_list().filter(pk=pk).first()
    if incident is None:
        return _incident_missing(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_incident(pk)
    try:
        sms_services.dispatcher_message_send(
            incident=incident, body=form.cleaned_data["body"], by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Message queued for the customer; its delivery shows below."))
    return redirect(f"{reverse('console:incident', args=[pk])}#conversation")


@desk_required
@require_POST
def incident_customer_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The demo's "customer's phone": a text from the customer through the real, signed webhook."""
    if not sms_demo.customer_phone_available():
        raise Http404("The customer's phone is only there in the demo.")
    incident = get_object_or_404(selectors.incident_list(), pk=pk)
    body = request.POST.get("body", "").strip()
    if not body:
        messages.error(request, _("Write what the customer texts."))
    elif (status := sms_demo.customer_reply_simulate(incident=incident, body=body)) == 200:
        messages.success(request, _("The customer's text went through the SMS webhook."))
    else:
        messages.error(request, _("The SMS webhook answered %(status)s.") % {"status": status})
    return redirect(f"{reverse('console:incident', args=[pk])}#conversation")


@desk_required
@require_POST
def incident_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_list().filter(pk=pk).first()
    if incident is None:
        return _incident_missing(request, pk)
    form = DispatchForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_incident(pk)
    data = form.cleaned_data
    machine = Machine.objects.filter(pk=data["machine"]).first() if data["machine"] else None
    technician = (
        Technician.objects.select_related("user", "home_branch").filter(pk=data["technician"]).first()
        if data["technician"]
        else None
    )
    try:
        incident = services.dispatch_start(
            incident=incident,
            by=request.user,
            machine=machine,
            technician=technician,
            channel=Channel.CONSOLE,
            repair_only=data["repair_only"] and machine is None,
        )
    except MachineUnavailable:
        # The race every busy desk has: say it plainly and let the refreshed list show the next best.
        taken = machine.fleet_number if machine else _("That machine")
        options = selectors.incident_replacement_suggestions(incident=incident, limit=1).suggestions
        if options:
            best = options[0]
            messages.warning(
                request,
                _(
                    "%(taken)s was just reserved by another dispatcher. The list is refreshed: "
                    "the next best is %(fleet)s (%(km)s km, ETA %(eta)s)."
                )
                % {
                    "taken": taken,
                    "fleet": best.fleet_number,
                    "km": best.distance_km,
                    "eta": timezone.localtime(best.eta_at).strftime("%H:%M"),
                },
            )
        else:
            messages.warning(
                request,
                _("%(taken)s was just reserved by another dispatcher, and no other machine is free nearby.")
                % {"taken": taken},
            )
        return _to_incident(pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _to_incident(pk)
    messages.success(
        request,
        _("Dispatched: %(who)s, arriving about %(eta)s. The customer gets an SMS.")
        % {"who": incident.technician, "eta": timezone.localtime(incident.current_eta).strftime("%H:%M")},
    )
    return _to_incident(pk)


def _run_action(request: HttpRequest, incident, action: str) -> str | None:
    """Call the service for one step; return a confirmation, or None after putting errors on the page."""
    common = {"incident": incident, "by": request.user, "channel": Channel.CONSOLE}
    if action == "confirm":
        services.incident_confirm(**common)
        return _("Breakdown confirmed: the customer gets an SMS. Choose a replacement.")
    if action == "dismiss":
        dismiss_form = ReasonForm(request.POST)
        if not dismiss_form.is_valid():
            _form_errors(request, dismiss_form)
            return None
        services.incident_dismiss(reason=dismiss_form.cleaned_data["reason"], **common)
        return _("Dismissed: no breakdown.")
    if action in ("cancel", "reassign"):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return None
        restart = services.incident_cancel if action == "cancel" else services.incident_reassign
        restart(reason=form.cleaned_data["reason"], **common)
        return _("Incident cancelled.") if action == "cancel" else _("Dispatch released: choose again.")
    if action == "recover":
        recover_form = RecoverForm(request.POST)
        if not recover_form.is_valid():
            _form_errors(request, recover_form)
            return None
        services.incident_recover(outcome=recover_form.cleaned_data["outcome"], **common)
        return _("The customer is running again. Recovery figures are stored below.")
    steps = {
        "depart": (services.dispatch_depart, _("The crew is on the road.")),
        "arrive": (services.dispatch_arrive, _("The crew is on site.")),
        "close": (services.incident_close, _("Incident closed.")),
    }
    if action not in steps:
        messages.error(request, _("Unknown step."))
        return None
    step, done = steps[action]
    step(**common)
    return done


@desk_required
@require_POST
def incident_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    incident = selectors.incident_list().filter(pk=pk).first()
    if incident is None:
        return _incident_missing(request, pk)
    try:
        done = _run_action(request, incident, action)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _to_incident(pk)
    if done:
        messages.success(request, done)
    return _to_incident(pk)


@desk_required
@require_POST
def incident_eta(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_list().filter(pk=pk).first()
    if incident is None:
        return _incident_missing(request, pk)
    form = EtaForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_incident(pk)
    try:
        services.eta_revise(
            incident=incident,
            eta=form.cleaned_data["eta"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            channel=Channel.CONSOLE,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("ETA revised."))
    return _to_incident(pk)


@desk_required
@require_POST
def incident_goodwill(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_list().filter(pk=pk).first()
    if incident is None:
        return _incident_missing(request, pk)
    form = GoodwillForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_incident(pk)
    try:
        credit = services.goodwill_grant(
            incident=incident,
            amount_eur=form.cleaned_data["amount_eur"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            channel=Channel.CONSOLE,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _to_incident(pk)
    if credit.status == GoodwillStatus.AWAITING_APPROVAL:
        messages.info(request, _("Above your limit: the credit waits for a manager's approval."))
    else:
        messages.success(request, _("Credit granted."))
    return _to_incident(pk)


@desk_required
@require_POST
def goodwill_decide(request: HttpRequest, pk: int) -> HttpResponse:
    credit = get_object_or_404(GoodwillCredit, pk=pk)
    form = GoodwillDecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_incident(credit.incident_id)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.goodwill_decide(credit=credit, approve=approve, by=request.user, channel=Channel.CONSOLE)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Credit approved.") if approve else _("Credit rejected."))
    # From the managers' queue: back to the queue; otherwise to the incident.
    if request.POST.get("next") == reverse("console:queue"):
        return redirect("console:queue")
    return _to_incident(credit.incident_id)


# --- Loyalty ----------------------------------------------------------------------------------


@manager_required
@require_GET
def loyalty_called_first(request: HttpRequest) -> HttpResponse:
    """The proactive figures, loaded into the loyalty page after it shows: they read incidents and
    the telematics state, and the page itself keeps to its query budget."""
    month = loyalty.this_month()
    return render(
        request,
        "console/partials/called_first.html",
        {
            "proactive": loyalty.proactive_summary(since=month.since),
            "coverage": telematics_selectors.rented_fleet_coverage(),
        },
    )


@manager_required
@require_GET
def loyalty_page(request: HttpRequest) -> HttpResponse:
    # Figures only: read from the replica when there is one (REPORTS_DATABASE_URL).
    with reports_reads():
        week, month = loyalty.this_week(), loyalty.this_month()
        trend = loyalty.weekly_trend(weeks=8)
        return render(
            request,
            "console/loyalty.html",
            {
                "periods": [
                    (
                        _("This week"),
                        loyalty.recovery_summary(since=week.since),
                        loyalty.nps_summary(since=week.since),
                    ),
                    (
                        _("This month"),
                        loyalty.recovery_summary(since=month.since),
                        loyalty.nps_summary(since=month.since),
                    ),
                ],
                # Titles come from here: a "%" inside a template's _("...") would show doubled.
                "trend_charts": [
                    (
                        _("Median time to recovery (hours)"),
                        charts.bar_chart(
                            [(p.week_start, _hours(p.median_time_to_recovery)) for p in trend],
                            unit="h",
                        ),
                    ),
                    (
                        _("SLA met (%)"),
                        charts.bar_chart([(p.week_start, p.sla_met_pct) for p in trend], unit="%", top=100),
                    ),
                ],
                "trend_nps": [(p.week_start, p.nps) for p in trend],
                "by_branch": loyalty.breakdown_by_branch(since=month.since),
                "by_category": _categories_in_page_language(loyalty.breakdown_by_category(since=month.since)),
                "worst_customers": loyalty.worst_customers(),
                **_follow_ups_shown(),
                # Read once: every open follow-up's select lists the same managers.
                "assignees": _assignees(),
            },
        )


# The oldest call-backs, a manager's morning; the next ones appear as these are closed.
FOLLOW_UPS_SHOWN = 50


def _follow_ups_shown() -> dict:
    # One row more than shown tells whether more are waiting, without a count query.
    queue = list(loyalty.follow_up_queue()[: FOLLOW_UPS_SHOWN + 1])
    return {"follow_ups": queue[:FOLLOW_UPS_SHOWN], "more_follow_ups": len(queue) > FOLLOW_UPS_SHOWN}


def _assignees() -> list[tuple[int, str]]:
    """The managers a follow-up can go to, read once for the whole queue (not once per follow-up)."""
    field = cast(ModelChoiceField, FollowUpForm.base_fields["assigned_to"])
    assert field.queryset is not None
    return [(person.pk, field.label_from_instance(person)) for person in field.queryset.all()]


def _categories_in_page_language(rows: list[loyalty.BreakdownRow]) -> list[loyalty.BreakdownRow]:
    # The figures group by the stored (English) name; the manager reads the name in their language.
    if not (get_language() or "").startswith("it"):
        return rows
    names = {c.name: c.display_name for c in MachineCategory.objects.all()}
    return [replace(row, name=names.get(row.name, row.name)) for row in rows]


def _hours(value) -> float | None:
    return None if value is None else value.total_seconds() / 3600


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_with_trailer(rows: Iterator[list[str]]) -> Iterator[str]:
    """The CSV lines, then `# complete: N incidents`. A download cut part-way has no such last line
    (and, chunked, no final chunk either): a reader can tell a whole export from a broken one."""
    writer = csv.writer(_Echo())
    written = -1  # the header is not an incident
    for row in rows:
        written += 1
        yield writer.writerow(row)
    yield f"# complete: {written} incidents\r\n"


@manager_required
@require_GET
def loyalty_csv(request: HttpRequest) -> StreamingHttpResponse:
    period = request.GET.get("period", "all")
    since = {"week": loyalty.this_week(), "month": loyalty.this_month()}.get(period)
    # The rows are read while the response streams, after this view returned: name the database.
    rows = loyalty.incident_metrics_rows(since=since.since if since else None, using=reports_database())
    response = StreamingHttpResponse(_csv_with_trailer(rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="pronto-recovery-{period}.csv"'
    return response


@manager_required
@require_POST
def follow_up_update(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp, pk=pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("console:loyalty")
    try:
        services.follow_up_update(
            follow_up=follow_up,
            by=request.user,
            assigned_to=form.cleaned_data["assigned_to"],
            note=form.cleaned_data["note"],
            close=form.cleaned_data["close"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Follow-up updated."))
    # From the loyalty page or the managers' queue: back to where the manager was.
    back = request.POST.get("next") or reverse("console:loyalty")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("console:loyalty")
    return redirect(f"{back}#follow-ups")


# --- Preferences ------------------------------------------------------------------------------


@desk_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if form.is_valid() and form.cleaned_data["language"] in dict(settings.LANGUAGES):
        console_services.desk_language_set(user=request.user, language=form.cleaned_data["language"])  # type: ignore[arg-type]  # desk_required
    return redirect(target)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A tablet left open across a re-login posts a stale token: explain, do not show Django's page."""
    return render(request, "console/csrf_failure.html", status=403)
