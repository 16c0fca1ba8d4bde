"""The four roles Pronto knows, as Django groups, and how to ask a user about them."""

from django.contrib.auth.models import AnonymousUser, User

# Whoever made a request: a signed-in person, or nobody (a webhook, a lapsed session).
AnyUser = User | AnonymousUser

DISPATCHER = "dispatcher"
TECHNICIAN = "technician"
MANAGER = "manager"
ADMIN = "admin"
ALL_ROLES = (DISPATCHER, TECHNICIAN, MANAGER, ADMIN)

# Who may run the dispatch desk: managers and admins stand in for dispatchers.
DESK_ROLES = (DISPATCHER, MANAGER, ADMIN)


def user_roles(user: AnyUser) -> frozenset[str]:
    """The user's role groups, read once per user object: a request asks several times (the view's
    permission, the console's menu), and the user is loaded afresh for every request."""
    cached = getattr(user, "_pronto_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        user._pronto_roles = cached  # type: ignore[union-attr]
    return cached


def user_has_role(user: AnyUser, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return not user_roles(user).isdisjoint(roles)


# Django model permissions per role, for the admin site and any code that asks `has_perm`.
# The API and console check roles directly; these keep the admin consistent with them.
_VIEW = "view"
_EDIT = ("view", "add", "change")
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    DISPATCHER: {
        "fleet.branch": (_VIEW,),
        "fleet.machinecategory": (_VIEW,),
        "fleet.categorysubstitute": (_VIEW,),
        "fleet.machine": _EDIT,
        "fleet.customer": _EDIT,
        "fleet.rental": _EDIT,
        "fleet.technician": (_VIEW,),
        "recovery.incident": _EDIT,
        "recovery.timelineevent": (_VIEW,),
        "recovery.goodwillcredit": ("view", "add"),
        "notifications.message": ("view", "add"),
    },
    TECHNICIAN: {
        "recovery.incident": (_VIEW,),
        "recovery.jobphoto": ("view", "add"),
    },
    MANAGER: {
        "fleet.branch": _EDIT,
        "fleet.machinecategory": _EDIT,
        "fleet.categorysubstitute": (*_EDIT, "delete"),
        "fleet.machine": _EDIT,
        "fleet.customer": _EDIT,
        "fleet.rental": _EDIT,
        "fleet.technician": _EDIT,
        "recovery.incident": _EDIT,
        "recovery.timelineevent": (_VIEW,),
        "recovery.goodwillcredit": _EDIT,
        "recovery.customerrecoveryrecord": (_VIEW,),
        "recovery.surveyresponse": (_VIEW,),
        "recovery.followup": _EDIT,
        "notifications.message": ("view", "add"),
        # Read-only for everyone (core/admin.py): an audit log that can be edited proves nothing.
        "core.auditentry": (_VIEW,),
    },
}


def role_permissions_sync(**kwargs) -> None:
    """Give each role group its model permissions; runs after every migrate, so it stays true."""
    from django.contrib.auth.models import Group, Permission

    for role, models in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted: list[Permission] = []
        for label, actions in models.items():
            app_label, model = label.split(".")
            wanted += Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        group.permissions.set(wanted)
    admin, _ = Group.objects.get_or_create(name=ADMIN)
    admin.permissions.set(Permission.objects.all())


# Who may approve goodwill above the limit, handle detractor follow-ups and read the audit log.
MANAGER_ROLES = (MANAGER, ADMIN)


def user_is_manager(user: AnyUser) -> bool:
    return user_has_role(user, *MANAGER_ROLES)


def signed_in(user: AnyUser | None) -> User | None:
    """The person behind a step, for the "by" columns; None for the system or an anonymous caller."""
    return user if isinstance(user, User) else None
