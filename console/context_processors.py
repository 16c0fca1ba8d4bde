"""What every console page's header needs: the user's desk role and which section is open."""

from django.conf import settings

from console.record_selectors import manager_queue_count
from core.roles import DESK_ROLES, user_has_role, user_is_manager

SECTIONS = {
    "board": "board",
    "intake": "intake",
    "incident": "board",
    "loyalty": "loyalty",
    "workshop": "workshop",
    "history": "history",
    "customer": "history",
    "queue": "queue",
}


def console(request) -> dict:
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    is_manager = user is not None and user_is_manager(user)
    return {
        # Credits to approve and detractors to call, beside "Waiting" in the header. A callable, so
        # only a page that shows the header counts them (not the board's polled rows).
        "manager_queue_count": manager_queue_count if is_manager else 0,
        # A technician who lands here sees no desk menu: none of it would open for them.
        "is_desk": user is not None and user_has_role(user, *DESK_ROLES),
        "perms_manager": is_manager,
        "section": SECTIONS.get(match.url_name, "") if match else "",
        # Only the laptop demo prints the demo logins on the login page.
        "demo_hint": settings.DEBUG,
    }
