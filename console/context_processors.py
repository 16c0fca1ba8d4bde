"""What every console page's header needs: the user's desk role and which section is open."""

from django.conf import settings

from core.roles import DESK_ROLES, user_has_role, user_is_manager

SECTIONS = {
    "board": "board",
    "intake": "intake",
    "incident": "board",
    "loyalty": "loyalty",
}


def console(request) -> dict:
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    return {
        # A technician who lands here sees no desk menu: none of it would open for them.
        "is_desk": user is not None and user_has_role(user, *DESK_ROLES),
        "perms_manager": user is not None and user_is_manager(user),
        "section": SECTIONS.get(match.url_name, "") if match else "",
        # Only the laptop demo prints the demo logins on the login page.
        "demo_hint": settings.DEBUG,
    }
