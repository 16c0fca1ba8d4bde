from django.contrib import admin

from telematics.models import FaultRule, MachineFault, MachineState, Provider, WorkshopNote


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "poll_interval_seconds", "last_polled_at", "unknown_reports"]
    list_filter = ["kind", "enabled"]
    readonly_fields = [
        "last_polled_at",
        "next_poll_at",
        "last_error",
        "unknown_reports",
        "last_unknown_machine",
    ]


@admin.register(FaultRule)
class FaultRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "spn", "fmi", "severity", "action", "debounce_minutes", "note"]
    list_editable = ["action", "debounce_minutes"]
    list_filter = ["action", "severity"]


@admin.register(MachineState)
class MachineStateAdmin(admin.ModelAdmin):
    list_display = ["machine", "provider", "last_seen_at", "lat", "lon", "hour_meter", "engine_running"]
    search_fields = ["machine__fleet_number", "machine__pin"]
    list_select_related = ["machine"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MachineFault)
class MachineFaultAdmin(admin.ModelAdmin):
    list_display = [
        "machine",
        "spn",
        "fmi",
        "severity",
        "description",
        "first_seen_at",
        "cleared_at",
        "flaps",
        "action",
    ]
    list_filter = ["severity", "action"]
    search_fields = ["machine__fleet_number"]
    list_select_related = ["machine"]


@admin.register(WorkshopNote)
class WorkshopNoteAdmin(admin.ModelAdmin):
    list_display = ["machine", "branch", "text", "opened_at", "done_at"]
    list_filter = ["branch"]
    search_fields = ["machine__fleet_number", "text"]
    list_select_related = ["machine", "branch"]
