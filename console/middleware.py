"""Speak each desk user's chosen language, whatever their browser says; bring their board filters."""

from django.utils import translation

from console.models import DeskProfile


class UserLanguageMiddleware:
    """Runs after authentication; overrides what LocaleMiddleware guessed from the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            # The board's filters come along in the same read: the board polls every few seconds.
            language, request.desk_board_filters = DeskProfile.objects.filter(user=request.user).values_list(
                "language", "board_filters"
            ).first() or ("", {})
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
