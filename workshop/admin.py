from django.contrib import admin

from workshop.models import MachineStatusChange, WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "branch", "severity", "billing_type", "status", "opened_at", "closed_at"]
    list_filter = ["status", "severity", "billing_type", "branch"]
    search_fields = ["machine__fleet_number"]
    raw_id_fields = ["machine", "rental"]
    # Opening and closing go through the workshop's services (the machine's status follows).
    readonly_fields = ["status", "opened_at", "opened_by", "closed_at", "closed_by"]


@admin.register(MachineStatusChange)
class MachineStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["machine", "previous_status", "status", "at", "reason"]
    list_filter = ["status"]
    search_fields = ["machine__fleet_number"]
    raw_id_fields = ["machine"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
