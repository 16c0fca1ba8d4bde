from django.urls import path

from core.api import auth

urlpatterns = [
    path("auth/token/", auth.TokenLoginView.as_view(), name="auth-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
]
