"""Input forms of the console: they check shape; the recovery services check the rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

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
    eta = forms.DateTimeField(
        label=_("New arrival time"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Give the new arrival time."), "invalid": _("Give a date and time.")},
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


class GoodwillForm(forms.Form):
    amount_eur = forms.DecimalField(
        label=_("Amount (€)"),
        min_value=1,
        max_digits=9,
        decimal_places=2,
        error_messages={"required": _("Give an amount in euro."), "invalid": _("Give an amount in euro.")},
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
