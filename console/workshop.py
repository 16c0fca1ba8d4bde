"""The console's workshop page: the units waiting for repair, oldest first, closed here when fixed
(only then is a unit available for hire again), and the days out of service per unit."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from console.permissions import desk_required
from core.errors import DomainError
from workshop import selectors, services
from workshop.models import BillingType, WorkOrder

OUT_OF_SERVICE_DAYS = 30


class WorkOrderCloseForm(forms.Form):
    resolution = forms.CharField(label=gettext_lazy("What was done"), max_length=2000)
    billing_type = forms.ChoiceField(label=gettext_lazy("Billing"), choices=BillingType.choices)


@desk_required
@require_GET
def workshop_page(request: HttpRequest) -> HttpResponse:
    until = timezone.now()
    orders = list(selectors.open_work_orders())
    return render(
        request,
        "console/workshop.html",
        {
            "orders": [
                (order, WorkOrderCloseForm(initial={"billing_type": order.billing_type})) for order in orders
            ],
            "out_of_service": selectors.days_out_of_service(
                since=until - timedelta(days=OUT_OF_SERVICE_DAYS), until=until
            )[:20],
            "out_of_service_days": OUT_OF_SERVICE_DAYS,
        },
    )


@desk_required
@require_POST
def work_order_close(request: HttpRequest, pk: int) -> HttpResponse:
    work_order = get_object_or_404(WorkOrder, pk=pk)
    form = WorkOrderCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done and how it is billed."))
        return redirect("console:workshop")
    try:
        services.work_order_close(work_order=work_order, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("WO-%(number)s closed: %(fleet)s is available for hire.")
            % {"number": pk, "fleet": work_order.machine.fleet_number},
        )
    return redirect("console:workshop")
