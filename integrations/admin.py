from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from integrations import webhooks
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


@admin.register(ExternalReference)
class ExternalReferenceAdmin(admin.ModelAdmin):
    list_display = ["kind", "reference", "customer", "rental"]
    list_filter = ["kind"]
    search_fields = ["reference"]
    raw_id_fields = ["customer", "rental"]
