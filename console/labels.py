"""Translated names for the recovery engine's statuses and timeline events.

The recovery models keep plain English labels (the API speaks English); the console shows
these instead, so an Italian dispatcher reads Italian."""

from django.utils.translation import gettext_lazy as _

STATUS = {
    "suspected": _("Suspected (telematics)"),
    "reported": _("Reported"),
    "replacement_reserved": _("Replacement reserved"),
    "dispatched": _("Dispatched"),
    "en_route": _("En route"),
    "on_site": _("On site"),
    "recovered": _("Running again"),
    "closed": _("Closed"),
    "cancelled": _("Cancelled"),
    "dismissed": _("Dismissed"),
}

EVENT = {
    "suspected": _("Fault reported by the machine"),
    "confirmed": _("Breakdown confirmed"),
    "dismissed": _("Dismissed (no breakdown)"),
    "logged": _("Breakdown logged"),
    "reserved": _("Replacement reserved"),
    "dispatched": _("Dispatched"),
    "en_route": _("En route"),
    "on_site": _("On site"),
    "recovered": _("Running again"),
    "closed": _("Closed"),
    "cancelled": _("Cancelled"),
    "reassigned": _("Reassigned"),
    "eta_revised": _("ETA revised"),
    "goodwill": _("Goodwill credit"),
    "sla_at_risk": _("SLA at risk"),
    "call_customer": _("Call the customer"),
    "customer_message": _("Message from the customer"),
    "survey_answered": _("Survey answered"),
    "note": _("Note"),
    "accepted": _("Accepted by the technician"),
    "declined": _("Declined by the technician"),
    "photo": _("Photo added"),
    "cause_classified": _("Cause classified"),
    "downtime_credit": _("Downtime credit"),
    "exchanged": _("Unit exchanged on the contract"),
    "customer_confirmed": _("Customer confirms someone on site"),
    "customer_works": _("Customer says it works again"),
    "approaching": _("Crew a few minutes away"),
}

CHANNEL = {
    "phone": _("phone"),
    "console": _("console"),
    "api": _("API"),
    "technician": _("technician app"),
    "sms": _("SMS"),
    "telematics": _("telematics"),
    "system": _("Pronto"),
}

GOODWILL = {
    "granted": _("Granted"),
    "awaiting_approval": _("Awaiting a manager"),
    "approved": _("Approved by a manager"),
    "rejected": _("Rejected by a manager"),
}

SEVERITY = {"machine_down": _("Machine down"), "degraded": _("Degraded")}

SMS_STATUS = {
    "queued": _("queued"),
    "sending": _("sending"),
    "unknown": _("outcome unknown"),
    "sent": _("sent"),
    "delivered": _("delivered"),
    "undelivered": _("not delivered"),
    "failed": _("failed"),
    "not_sent": _("not sent"),
    "superseded": _("not sent: overtaken by events"),
    "received": _("received"),
}

SMS_KIND = {
    "acknowledgement": _("apology on logging"),
    "proactive": _("fault noticed by telematics"),
    "eta": _("arrival time"),
    "delay": _("delay apology"),
    "arrival": _("crew on site"),
    "recovered": _("running again"),
    "survey": _("survey"),
    "help": _("help"),
    "free_text": _("from the desk"),
    "reply": _("customer"),
    "cancelled": _("visit cancelled"),
    "channel": _("channel changed"),
    "last_mile": _("crew a few minutes away"),
}

SMS_NOT_SENT = {
    "opted_out": _("the customer texted STOP"),
    "no_consent": _("no SMS consent"),
    "no_template": _("no WhatsApp template outside the 24-hour window: sent by SMS"),
}

NPS = {"promoter": _("promoter"), "passive": _("passive"), "detractor": _("detractor")}
