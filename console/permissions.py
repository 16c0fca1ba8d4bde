"""Who may open which console page: desk roles for the console, managers for the loyalty figures."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect

from core.roles import DESK_ROLES, MANAGER_ROLES, TECHNICIAN, user_has_role


def _role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if request.htmx:
                    # A poll after the session expired: send the whole page to the login, rather
                    # than letting htmx swap the login form into the board's table.
                    return HttpResponseClientRedirect(settings.LOGIN_URL)
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, *roles):
                # A clear page, not a bare 403, that speaks to who is asking: a dispatcher on a
                # manager's page is told so, a technician is sent to their app.
                return render(
                    request,
                    "console/forbidden.html",
                    {
                        "on_desk": user_has_role(request.user, *DESK_ROLES),
                        "is_technician": user_has_role(request.user, TECHNICIAN),
                    },
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


desk_required = _role_required(*DESK_ROLES)
manager_required = _role_required(*MANAGER_ROLES)
