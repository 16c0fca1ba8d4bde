from django.contrib import admin
from django.db import transaction

from core.audit import audit_record
from core.models import AuditAction, AuditChannel
from fleet.models import Branch, CategorySubstitute, Customer, Machine, MachineCategory, Rental, Technician


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "phone", "average_road_speed_kmh"]
    search_fields = ["name", "address"]


class CategorySubstituteInline(admin.TabularInline):
    model = CategorySubstitute
    fk_name = "category"
    extra = 1
    ordering = ["preference"]


@admin.register(MachineCategory)
class MachineCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_it"]
    search_fields = ["code", "name"]
    inlines = [CategorySubstituteInline]


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    list_display = ["fleet_number", "category", "make", "model", "status", "home_branch"]
    list_filter = ["status", "home_branch", "category"]
    search_fields = ["fleet_number", "serial_number", "pin"]
    list_select_related = ["category", "home_branch"]
    # A million machines: never render a select box of them.
    show_full_result_count = False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Every view and change of a customer here lands in the audit log (privacy app)."""

    list_display = ["company", "contact_name", "mobile", "language", "sms_opted_out_at", "erased_at"]
    search_fields = ["company", "contact_name", "mobile"]
    list_filter = ["language", "channel_preference"]
    readonly_fields = ["erased_at"]

    def _audit(self, request, action: str, customer: Customer, fields: list[str] | None = None) -> None:
        audit_record(
            actor=request.user,
            action=action,
            channel=AuditChannel.ADMIN,
            object_type="customer",
            object_id=customer.pk,
            customer=customer,
            fields=fields,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and (customer := self.get_object(request, object_id)) is not None:
            self._audit(request, AuditAction.VIEW, customer)
        return super().change_view(request, object_id, form_url, extra_context)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = AuditAction.UPDATE if change else AuditAction.CREATE
        self._audit(request, action, obj, fields=list(form.changed_data))

    @transaction.atomic
    def delete_model(self, request, obj):
        self._audit(request, AuditAction.DELETE, obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for customer in queryset:
            self._audit(request, AuditAction.DELETE, customer)
        super().delete_queryset(request, queryset)


@admin.register(Rental)
class RentalAdmin(admin.ModelAdmin):
    list_display = ["machine", "customer", "site_address", "starts_at", "status", "recovery_sla_hours"]
    list_filter = ["status", "branch"]
    search_fields = ["machine__fleet_number", "customer__company", "site_address"]
    raw_id_fields = ["machine", "customer"]
    list_select_related = ["machine", "customer"]


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ["__str__", "home_branch", "on_shift", "position_updated_at"]
    list_filter = ["home_branch", "on_shift"]
    filter_horizontal = ["skills"]
