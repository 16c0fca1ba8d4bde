"""Input forms of the console: they check shape; the recovery services check the rules."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from console.money import example_amount, format_amount, parse_amount
from core.roles import MANAGER_ROLES
from recovery.models import Outcome, Severity


class IncidentLogForm(forms.Form):
    rental = forms.IntegerField(widget=forms.HiddenInput)
    symptom = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "autofocus": True,
                "placeholder": _("e.g. hydraulic hose burst, boom won't lift"),
            }
        ),
        error_messages={"required": _("Describe the symptom: what is the machine doing, or not doing?")},
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[
            (Severity.MACHINE_DOWN, _("Machine down")),
            (Severity.DEGRADED, _("Degraded, still working")),
        ],
        initial=Severity.MACHINE_DOWN,
        widget=forms.RadioSelect,
    )


class DispatchForm(forms.Form):
    machine = forms.IntegerField(required=False)
    technician = forms.IntegerField(required=False)
    repair_only = forms.BooleanField(required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=255, error_messages={"required": _("Say why, for the timeline.")}
    )


class RecoverForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)


class EtaForm(forms.Form):
    # A date picker and a plain 24-hour time box: a datetime-local input shows 2:30 PM in a browser
    # set to American English, and a desk in Italy reads and types 14:30 (or 14.30).
    eta = forms.SplitDateTimeField(
        label=_("New arrival time"),
        input_date_formats=["%Y-%m-%d", "%d/%m/%Y"],
        input_time_formats=["%H:%M", "%H.%M"],
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date"},
            time_attrs={
                "inputmode": "numeric",
                "pattern": r"([01]?\d|2[0-3])[:.][0-5]\d",
                "placeholder": "14:30",
                "size": "5",
                "autocomplete": "off",
            },
            date_format="%Y-%m-%d",
            time_format="%H:%M",
        ),
        error_messages={
            "required": _("Give the new arrival time."),
            "invalid_date": _("Give the date of arrival."),
            "invalid_time": _("Give the time as hours and minutes, 24-hour: 14:30."),
        },
    )
    reason = forms.CharField(
        label=_("Why"), max_length=255, error_messages={"required": _("Say why the ETA changes.")}
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Text the customer"),
        max_length=640,
        widget=forms.Textarea({"rows": 2}),
        error_messages={"required": _("Write the message to send.")},
    )


class MoneyField(forms.Field):
    """An amount in euro written the page's way (1.250,50 or 1,250.50), at most two decimals."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 20})

    def __init__(self, *, max_value: Decimal, **kwargs):
        self.max_value = max_value
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        amount = parse_amount(str(value))
        if amount is None:
            raise ValidationError(
                _("Write the amount like %(example)s.") % {"example": example_amount()}, code="invalid"
            )
        if amount <= 0:
            raise ValidationError(_("The credit must be more than zero."), code="min_value")
        if amount > self.max_value:
            raise ValidationError(
                _("That is more than %(most)s.") % {"most": format_amount(self.max_value)}, code="max_value"
            )
        return amount


class GoodwillForm(forms.Form):
    amount_eur = MoneyField(
        label=_("Amount (€)"),
        max_value=Decimal("9999999.99"),
        error_messages={"required": _("Give an amount in euro.")},
    )
    reason = forms.CharField(
        label=_("What it makes up for"),
        max_length=255,
        error_messages={"required": _("Say what the credit makes up for.")},
    )


class GoodwillDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])


def managers():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=MANAGER_ROLES)
        .distinct()
        .order_by("first_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class FollowUpForm(forms.Form):
    assigned_to = PersonChoiceField(queryset=managers(), required=False, label=_("Assign to"))
    note = forms.CharField(
        required=False, max_length=2000, label=_("Note"), widget=forms.Textarea({"rows": 2})
    )
    close = forms.BooleanField(required=False, label=_("Close the follow-up"))


class LanguageForm(forms.Form):
    language = forms.CharField(max_length=8)
    next = forms.CharField(required=False)


class HistoryFilterForm(forms.Form):
    """The history's filters: all optional, anything malformed is simply ignored."""

    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[
            ("", _("Any")),
            ("recovered", _("Running again")),
            ("closed", _("Closed")),
            ("cancelled", _("Cancelled")),
        ],
    )
    branch = forms.IntegerField(required=False, label=_("Branch"))
    category = forms.IntegerField(required=False, label=_("Category"))
    since = forms.DateField(
        required=False,
        label=_("From"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        required=False,
        label=_("To"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
