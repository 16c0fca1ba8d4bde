"""The dispatch desk's view of an incident's SMS conversation, and its replies."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import IsDeskStaff
from core.audit import audit_record
from core.idempotency import idempotent
from core.models import AuditAction, AuditChannel
from notifications import selectors, services
from notifications.models import Message
from recovery.errors import InvalidRequest
from recovery.models import Incident


class MessageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "kind",
            "body",
            "body_erased_at",
            "status",
            "not_sent_reason",
            "segments",
            "encoding",
            "error_code",
            "created_at",
            "delivered_at",
        ]


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=640, help_text="The reply, sent to the customer by SMS.")


class IncidentMessagesApi(APIView):
    """The customer conversation on an incident: every SMS both ways, and the dispatcher's reply."""

    permission_classes = [IsDeskStaff]

    @extend_schema(responses=MessageOutputSerializer(many=True))
    def get(self, request, incident_id: int):
        incident = get_object_or_404(Incident.objects.select_related("rental__customer"), pk=incident_id)
        messages = selectors.incident_messages(incident=incident)
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            channel=AuditChannel.API,
            object_type="incident_messages",
            object_id=incident.pk,
            customer=incident.rental.customer,
        )
        return Response(MessageOutputSerializer(messages, many=True).data)

    @extend_schema(
        request=MessageInputSerializer,
        responses={201: MessageOutputSerializer},
        examples=[
            OpenApiExample(
                "Reply", value={"body": "Luca is 10 minutes away, sorry for the wait."}, request_only=True
            )
        ],
    )
    @idempotent
    def post(self, request, incident_id: int):
        incident = get_object_or_404(Incident.objects.select_related("rental__customer"), pk=incident_id)
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            message = services.dispatcher_message_send(
                incident=incident, body=data.validated_data["body"], by=request.user
            )
        except InvalidRequest as exc:
            raise exceptions.ValidationError({"body": [exc.message]}) from exc
        audit_record(
            actor=request.user,
            action=AuditAction.CREATE,
            channel=AuditChannel.API,
            object_type="message",
            object_id=message.pk,
            customer=incident.rental.customer,
            fields=["body"],
        )
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)
