"""Token login for API clients such as the technicians' phone app: username and password in,
a token out (`Authorization: Token …` on every later call); logout revokes the token."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import ErrorOutput
from core.api.parsers import JSONParser
from core.api.throttles import FailedLoginThrottle


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Wrong username or password."
    default_code = "invalid_credentials"


class TokenLoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [FailedLoginThrottle]
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=128, trim_whitespace=False, style={"input_type": "password"}
        )

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        auth=[],
        request=InputSerializer,
        responses={200: OutputSerializer, 400: ErrorOutput, 415: ErrorOutput, 429: ErrorOutput},
        examples=[
            OpenApiExample("Sign in", value={"username": "luca", "password": "…"}, request_only=True),
            OpenApiExample(
                "Token", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True
            ),
            OpenApiExample(
                "Wrong password",
                value={"detail": "Wrong username or password.", "code": "invalid_credentials"},
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample(
                "Too many failed attempts",
                value={
                    "detail": "Request was throttled. Expected available in 42 seconds.",
                    "code": "throttled",
                },
                response_only=True,
                status_codes=["429"],
            ),
        ],
        description="Exchange a username and password for the API token. The same token comes back "
        "until logout, so signing in on a second phone does not sign the first one out. "
        "Failed attempts are limited per address (`THROTTLE_LOGIN`).",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None:
            FailedLoginThrottle().record_failure(request, self)
            raise InvalidCredentials()
        token, _ = Token.objects.get_or_create(user=user)
        return Response(self.OutputSerializer({"token": token.key}).data)


class LogoutView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        tags=["auth"],
        request=None,
        responses={204: None, 401: ErrorOutput},
        examples=[
            OpenApiExample(
                "Token already revoked",
                value={"detail": "Invalid token.", "code": "authentication_failed"},
                response_only=True,
                status_codes=["401"],
            )
        ],
        description="Revoke the token this request carries; the app must sign in again.",
    )
    def post(self, request):
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
