"""Speak each desk user's chosen language, whatever their browser says."""

from django.utils import translation

from console.models import DeskProfile


class UserLanguageMiddleware:
    """Runs after authentication; overrides what LocaleMiddleware guessed from the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            language = (
                DeskProfile.objects.filter(user=request.user).values_list("language", flat=True).first()
            )
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
