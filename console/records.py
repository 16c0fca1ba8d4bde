"""The desk's records beyond the live board: the history of finished incidents, a customer's page
and the managers' queue. Thin, like views.py: reads through console/record_selectors.py."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console import record_selectors
from console.forms import HistoryFilterForm, managers
from console.permissions import desk_required, manager_required
from core.audit import audit_record
from core.models import AuditAction, AuditChannel
from fleet.models import Customer
from fleet.selectors import branch_list, category_list
from recovery import loyalty

HISTORY_PAGE_SIZE = 50


@desk_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = record_selectors.HistoryFilter(
        query=data.get("q") or "",
        status=data.get("status") or "",
        branch_id=data.get("branch"),
        category_id=data.get("category"),
        since=data.get("since"),
        until=data.get("until"),
    )
    page = Paginator(record_selectors.incident_history(filters=filters), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if filters.query and page.object_list:
        # Search results name customers: one audit entry naming them all, as the intake search does.
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            channel=AuditChannel.CONSOLE,
            object_type="incident_history_search",
            customer_ids=sorted({incident.rental.customer_id for incident in page.object_list}),
        )
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "console/history.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "branches": branch_list(),
            "categories": category_list(),
            "query_string": query_string.urlencode(),
        },
    )


@desk_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        return render(request, "console/customer_missing.html", {"number": pk}, status=404)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        channel=AuditChannel.CONSOLE,
        object_type="customer",
        object_id=customer.pk,
        customer=customer,
    )
    return render(
        request,
        "console/customer.html",
        {"page": record_selectors.customer_page(customer=customer)},
    )


@manager_required
@require_GET
def manager_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/queue.html",
        {
            "credits": record_selectors.goodwill_awaiting(),
            "follow_ups": loyalty.follow_up_queue(),
            "assignees": [
                (person.pk, person.get_full_name() or person.get_username()) for person in managers()
            ],
            "goodwill_limit": settings.PRONTO["GOODWILL_LIMIT_EUR"],
        },
    )
