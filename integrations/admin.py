from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from rest_framework.exceptions import ValidationError

from integrations import imports, webhooks
from integrations.models import (
    Delivery,
    DeliveryAttempt,
    Endpoint,
    ExternalReference,
    Subscription,
    WebhookEvent,
)


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 1


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    inlines = [SubscriptionInline]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "status_code", "duration_ms", "error", "response_excerpt"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.action(description="Replay: send the selected events again (same event id)")
def replay(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
    replayed = sum(webhooks.delivery_replay(delivery=delivery) for delivery in queryset)
    skipped = queryset.count() - replayed
    modeladmin.message_user(request, f"{replayed} queued again.", messages.SUCCESS)
    if skipped:
        modeladmin.message_user(request, f"{skipped} still pending, left as they are.", messages.WARNING)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every event to every endpoint, each POST and its answer."""

    list_display = [
        "id",
        "event_type",
        "endpoint",
        "ordering_key",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "endpoint", "event__type"]
    search_fields = ["ordering_key", "event__event_id"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = [replay]

    @admin.display(description="event")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.type

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "ordering_key", "occurred_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "ordering_key"]
    readonly_fields = ["event_id", "type", "ordering_key", "data", "occurred_at", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ImportForm(forms.Form):
    what = forms.ChoiceField(choices=[("customers", "Customers"), ("rentals", "Rentals with their lines")])
    file = forms.FileField(
        help_text="UTF-8 CSV with a header line; see docs/rental-system.md for the columns."
    )


@admin.register(ExternalReference)
class ExternalReferenceAdmin(admin.ModelAdmin):
    """The rental system's references, and the CSV upload that imports customers and rentals."""

    list_display = ["kind", "reference", "customer", "rental"]
    list_filter = ["kind"]
    search_fields = ["reference"]
    raw_id_fields = ["customer", "rental"]
    change_list_template = "admin/integrations/externalreference/change_list.html"

    def get_urls(self) -> list:
        extra = [path("import/", self.admin_site.admin_view(self.import_view), name="integrations_import")]
        return extra + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            importer = (
                imports.customers_import
                if form.cleaned_data["what"] == "customers"
                else imports.rentals_import
            )
            try:
                report = importer(rows=imports.rows_from_csv(form.cleaned_data["file"].read()))
            except ValidationError as error:
                form.add_error("file", str(error.detail))
            else:
                if report.imported:
                    self.message_user(
                        request,
                        f"Imported: {report.created} created, {report.updated} updated, "
                        f"{report.unchanged} unchanged.",
                        messages.SUCCESS,
                    )
                else:
                    self.message_user(
                        request,
                        f"{len(report.rejected)} rows rejected: nothing was imported.",
                        messages.ERROR,
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "title": "Import from the rental system",
        }
        return TemplateResponse(request, "admin/integrations/import.html", context)
