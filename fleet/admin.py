from django.contrib import admin

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
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [CategorySubstituteInline]


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    list_display = ["fleet_number", "category", "make", "model", "status", "home_branch"]
    list_filter = ["status", "home_branch", "category"]
    search_fields = ["fleet_number", "serial_number"]
    list_select_related = ["category", "home_branch"]
    # A million machines: never render a select box of them.
    show_full_result_count = False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["company", "contact_name", "mobile", "language", "sms_opted_out_at"]
    search_fields = ["company", "contact_name", "mobile"]
    list_filter = ["language"]


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
