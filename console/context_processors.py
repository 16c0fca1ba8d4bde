"""What every console page's header needs: the user's desk role and which section is open."""

from django.conf import settings

from core.roles import ADMIN, MANAGER, user_has_role

SECTIONS = {
    "board": "board",
    "intake": "intake",
    "incident": "board",
    "loyalty": "loyalty",
}


def console(request) -> dict:
    match = getattr(request, "resolver_match", None)
    return {
        "perms_manager": user_has_role(request.user, MANAGER, ADMIN) if hasattr(request, "user") else False,
        "section": SECTIONS.get(match.url_name, "") if match else "",
        # Only the laptop demo prints the demo logins on the login page.
        "demo_hint": settings.DEBUG,
    }
