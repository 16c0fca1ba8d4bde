"""Role permissions for the API, named so a view reads as a sentence."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import DESK_ROLES, TECHNICIAN, user_has_role, user_is_manager


class IsDeskStaff(BasePermission):
    """Dispatchers, managers and admins."""

    message = "Only dispatchers, managers and admins may do this."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, *DESK_ROLES)


class IsDeskStaffOrReadOnly(BasePermission):
    """Anyone signed in may read; only the dispatch desk may write."""

    message = "Only dispatchers, managers and admins may change this."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return user_has_role(request.user, *DESK_ROLES)


class IsManager(BasePermission):
    message = "Only managers may do this."

    def has_permission(self, request, view) -> bool:
        return user_is_manager(request.user)


class IsTechnician(BasePermission):
    message = "This part of the API is for field technicians."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, TECHNICIAN) and hasattr(request.user, "technician")
