"""The four roles Pronto knows, as Django groups, and how to ask a user about them."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

DISPATCHER = "dispatcher"
TECHNICIAN = "technician"
MANAGER = "manager"
ADMIN = "admin"
ALL_ROLES = (DISPATCHER, TECHNICIAN, MANAGER, ADMIN)

# Who may run the dispatch desk: managers and admins stand in for dispatchers.
DESK_ROLES = (DISPATCHER, MANAGER, ADMIN)


def user_has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles).exists()
