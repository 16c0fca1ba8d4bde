"""Examples for the technicians' API schema: what the app sends and what it gets back."""

from drf_spectacular.utils import OpenApiExample

AT = "2026-11-23T10:15:00+01:00"

JOB_VALUE = {
    "id": 1042,
    "status": "en_route",
    "status_display": "En route",
    "next_steps": ["on_site"],
    "symptom": "Hydraulic hose burst, boom won't lift",
    "severity": "machine_down",
    "site": {"address": "Via Roma 12, Sesto San Giovanni", "lat": 45.55, "lon": 9.2},
    "customer": {"contact_first_name": "Giulia", "phone": "+393471000001"},
    "broken_machine": {
        "fleet_number": "PR0000100",
        "make": "Kubota",
        "model": "KX019-4",
        "category": "Mini excavator 1.5–2 t",
    },
    "replacement_machine": {
        "fleet_number": "PR0000002",
        "make": "Kubota",
        "model": "KX019-4",
        "category": "Mini excavator 1.5–2 t",
        "pickup_branch": "Monza",
        "pickup_lat": 45.5845,
        "pickup_lon": 9.2744,
    },
    "sla_due_at": "2026-11-23T13:00:00+01:00",
    "current_eta": "2026-11-23T10:40:00+01:00",
    "dispatched_at": "2026-11-23T09:05:00+01:00",
    "accepted_at": "2026-11-23T09:06:10+01:00",
    "en_route_at": AT,
    "on_site_at": None,
    "recovered_at": None,
    "outcome": "",
}

JOB = OpenApiExample("A job en route", value=JOB_VALUE, response_only=True, status_codes=["200"])
JOB_PAGE = OpenApiExample(
    "My current jobs",
    value={"count": 1, "next": None, "previous": None, "results": [JOB_VALUE]},
    response_only=True,
    status_codes=["200"],
)
NOT_YOURS = OpenApiExample(
    "Not your job",
    value={"detail": "This job is not assigned to you, or does not exist.", "code": "not_found"},
    response_only=True,
    status_codes=["404"],
)
BAD_CLOCK = OpenApiExample(
    "Phone clock ahead",
    value={
        "detail": "at: This time is ahead of ours by more than 5 minutes; check the phone's clock.",
        "code": "invalid",
        "errors": {"at": ["This time is ahead of ours by more than 5 minutes; check the phone's clock."]},
    },
    response_only=True,
    status_codes=["400"],
)

TECHNICIAN = OpenApiExample(
    "On shift",
    value={
        "id": 7,
        "name": "Luca Ferri",
        "home_branch": "Milano",
        "on_shift": True,
        "shift_changed_at": "2026-11-23T07:00:00+01:00",
        "lat": 45.5213,
        "lon": 9.1688,
        "position_updated_at": AT,
    },
    response_only=True,
    status_codes=["200"],
)
SHIFT_ON = OpenApiExample(
    "Start the shift", value={"on_shift": True, "at": "2026-11-23T07:00:00+01:00"}, request_only=True
)

ONE_PING = OpenApiExample(
    "One position", value={"pings": [{"lat": 45.5213, "lon": 9.1688, "at": AT}]}, request_only=True
)
PING_BATCH = OpenApiExample(
    "The offline queue",
    value={
        "pings": [
            {"lat": 45.5101, "lon": 9.1502, "at": "2026-11-23T10:13:00+01:00"},
            {"lat": 45.5213, "lon": 9.1688, "at": AT},
            {"lat": 45.5160, "lon": 9.1590, "at": "2026-11-23T10:14:00+01:00"},
        ]
    },
    request_only=True,
)
LOCATION = OpenApiExample(
    "ETA revised",
    value={
        "accepted": 3,
        "position_updated": True,
        "position": {"lat": 45.5213, "lon": 9.1688, "at": AT},
        "eta_revised": [1042],
    },
    response_only=True,
    status_codes=["200"],
)

AT_ONLY = OpenApiExample("Accept", value={"at": "2026-11-23T09:06:10+01:00"}, request_only=True)
DECLINE = OpenApiExample(
    "Decline", value={"reason": "Van has a flat tyre", "at": "2026-11-23T09:06:10+01:00"}, request_only=True
)
DECLINED = OpenApiExample(
    "Handed back",
    value={"id": 1042, "detail": "Handed back to the dispatcher."},
    response_only=True,
    status_codes=["200"],
)
UNDER_WAY = OpenApiExample(
    "Already en route",
    value={
        "detail": "This job is under way; call the dispatcher to hand it over.",
        "code": "illegal_transition",
    },
    response_only=True,
    status_codes=["409"],
)

EN_ROUTE = OpenApiExample("Set off", value={"status": "en_route", "at": AT}, request_only=True)
ON_SITE = OpenApiExample(
    "Arrived", value={"status": "on_site", "at": "2026-11-23T10:38:00+01:00"}, request_only=True
)
RECOVERED = OpenApiExample(
    "Running again",
    value={"status": "recovered", "outcome": "swapped", "at": "2026-11-23T11:05:00+01:00"},
    request_only=True,
)
ILLEGAL_STEP = OpenApiExample(
    "Recovered before on site",
    value={
        "detail": "This job is en route, so it cannot be recovered yet; it can be on_site next.",
        "code": "illegal_transition",
    },
    response_only=True,
    status_codes=["409"],
)

NOTE = OpenApiExample(
    "A note", value={"text": "Customer moved the machine to the back gate.", "at": AT}, request_only=True
)
NOTE_CREATED = OpenApiExample(
    "Note saved",
    value={
        "id": 5521,
        "text": "Customer moved the machine to the back gate.",
        "at": AT,
        "recorded_at": "2026-11-23T10:15:02+01:00",
    },
    response_only=True,
    status_codes=["201"],
)

PHOTO_VALUE = {
    "id": 88,
    "url": "http://127.0.0.1:8000/media/job-photos/2026/11/3f2a9c.jpg",
    "content_type": "image/jpeg",
    "size": 734003,
    "taken_at": "2026-11-23T10:41:00+01:00",
    "uploaded_at": "2026-11-23T10:41:30+01:00",
}
PHOTO = OpenApiExample("Photo saved", value=PHOTO_VALUE, response_only=True, status_codes=["201"])
PHOTO_PAGE = OpenApiExample(
    "Photos of a job",
    value={"count": 1, "next": None, "previous": None, "results": [PHOTO_VALUE]},
    response_only=True,
    status_codes=["200"],
)
PHOTO_REFUSED = OpenApiExample(
    "Not a photo",
    value={"detail": "Send a JPEG, PNG or WebP photo; this file is none of those.", "code": "invalid"},
    response_only=True,
    status_codes=["400"],
)
