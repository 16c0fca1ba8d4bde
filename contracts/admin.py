from django.contrib import admin

from contracts.models import DowntimeTerms, RentalLine


@admin.register(RentalLine)
class RentalLineAdmin(admin.ModelAdmin):
    list_display = [
        "rental",
        "machine",
        "on_hire_at",
        "off_hire_at",
        "hour_meter_out",
        "hour_meter_in",
        "rate_eur",
        "rate_period",
        "exchange_reason",
    ]
    list_filter = ["exchange_reason", "rate_period"]
    search_fields = ["machine__fleet_number", "rental__customer__company"]
    raw_id_fields = ["rental", "machine", "replaces"]


@admin.register(DowntimeTerms)
class DowntimeTermsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "suspends_hire", "reporting_window_hours", "misuse_voids"]
    raw_id_fields = ["customer", "rental"]
