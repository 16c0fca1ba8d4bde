"""The technicians' app API: their jobs, their steps, their position and shift.

A technician sees only jobs assigned to them; any other job answers 404 exactly like a job that
does not exist. Every write honours Idempotency-Key, since phones retry on bad networks."""

from django.conf import settings
from django.utils.translation import gettext
from drf_spectacular.authentication import TokenScheme
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import JSONParser
from core.api.permissions import IsTechnician
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.api.throttles import TechnicianRateThrottle
from core.audit import audit_record
from core.files import human_size
from core.idempotency import idempotent
from core.models import AuditAction, AuditChannel
from fleet.models import Technician
from fleet.services import technician_shift_set
from recovery import selectors, services
from recovery.models import Channel, Incident, JobPhoto
from recovery.technician_api import examples as ex
from recovery.technician_api import serializers as s


def errors(*codes: int) -> dict:
    """The error answers an operation can give, all with the one error body."""
    return error_responses(401, 403, 429, *codes)


class TechnicianTokenAuthentication(TokenAuthentication):
    """The token, its user and their technician profile in one query: a phone pings every 15 s."""

    def authenticate_credentials(self, key: str) -> tuple:
        token = (
            Token.objects.select_related("user__technician__home_branch")
            .filter(key=key, user__is_active=True)
            .first()
        )
        if token is None:
            raise AuthenticationFailed(gettext("Invalid token."))
        return token.user, token


class TechnicianTokenScheme(TokenScheme):
    """In the OpenAPI schema: the same `Authorization: Token …` header as the rest of the API."""

    target_class = "recovery.technician_api.views.TechnicianTokenAuthentication"
    name = "technicianToken"
    priority = 1  # before the generic TokenScheme, which matches subclasses too


class TechnicianAPIView(APIView):
    # Tokens only: a phone has no session, and a 401 tells the app to sign in again.
    authentication_classes = [TechnicianTokenAuthentication]
    permission_classes = [IsTechnician]
    throttle_classes = [TechnicianRateThrottle]
    parser_classes = [JSONParser]

    @property
    def technician(self) -> Technician:
        return self.request.user.technician  # type: ignore[union-attr]  # IsTechnician let them in

    def job(self, pk: int) -> Incident:
        incident = selectors.technician_job(technician=self.technician, pk=pk)
        if incident is None:
            raise NotFound(gettext("This job is not assigned to you, or does not exist."))
        return incident

    def job_response(self, incident: Incident) -> Response:
        fresh = selectors.technician_job(technician=self.technician, pk=incident.pk)
        return Response(s.JobOutput(fresh).data)

    def valid(self, serializer_class, data) -> dict:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class MeView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        responses={200: s.TechnicianOutput, **errors()},
        examples=[ex.TECHNICIAN],
        description="Who is signed in, whether they are on shift and where we think they are.",
    )
    def get(self, request):
        return Response(s.TechnicianOutput(self.technician).data)


class ShiftView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        request=s.ShiftInput,
        responses={200: s.TechnicianOutput, **errors(400, 415, 422)},
        parameters=[IDEMPOTENCY_KEY],
        examples=[ex.SHIFT_ON, ex.TECHNICIAN, ex.BAD_CLOCK],
        description="Start or end a shift. Only on-shift technicians are suggested for new jobs. "
        "A change older than the last one applied is ignored and the current state returned.",
    )
    @idempotent
    def post(self, request):
        data = self.valid(s.ShiftInput, request.data)
        technician = technician_shift_set(
            technician=self.technician, on_shift=data["on_shift"], at=data["at"]
        )
        return Response(s.TechnicianOutput(technician).data)


class LocationView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        request=s.LocationInput,
        responses={200: s.LocationOutput, **errors(400, 415, 422)},
        parameters=[IDEMPOTENCY_KEY],
        examples=[ex.ONE_PING, ex.PING_BATCH, ex.LOCATION],
        description="One position or a batch (the offline queue), each with the phone's time. The newest "
        "becomes your position; while you drive to a job its ETA follows you, revised when it moves "
        f"by {settings.PRONTO['LIVE_ETA_THRESHOLD_MINUTES']} minutes or more (LIVE_ETA_THRESHOLD_MINUTES).",
    )
    @idempotent
    def post(self, request):
        data = self.valid(s.LocationInput, request.data)
        report = services.technician_location_report(
            technician=self.technician,
            pings=[services.LocationPing(**ping) for ping in data["pings"]],
            by=request.user,
        )
        return Response(
            s.LocationOutput(
                {
                    "accepted": report.accepted,
                    "position_updated": report.position_updated,
                    # The service moved this very object when the batch was newer than what we knew.
                    "position": self.technician,
                    "eta_revised": report.eta_revised,
                }
            ).data
        )


class JobListView(TechnicianAPIView, generics.ListAPIView):
    serializer_class = s.JobOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        query = s.JobListQuery(data=self.request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        return selectors.technician_jobs(
            technician=self.technician,
            scope=query.validated_data["scope"],
            recent_days=query.validated_data.get("days"),
        )

    @extend_schema(
        tags=["technician"],
        parameters=[s.JobListQuery],
        responses={200: s.JobOutput(many=True), **errors(400, 404)},
        examples=[ex.JOB_PAGE],
        description="My jobs: `current` (en route or on site), `upcoming` (dispatched to me, not yet "
        "started), `recent` (recovered or closed lately). Paginated with `page` and `page_size`.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        # Open jobs show their customer's contact: one audit entry per page, naming them.
        page = super().paginate_queryset(queryset)
        shown = [job.rental.customer_id for job in (page if page is not None else queryset) if job.is_open]
        if shown:
            audit_record(
                actor=self.request.user,
                action=AuditAction.VIEW,
                channel=AuditChannel.API,
                object_type="technician_job",
                customer_ids=shown,
            )
        return page


class JobDetailView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        responses={200: s.JobOutput, **errors(404)},
        examples=[ex.JOB, ex.NOT_YOURS],
        description="One of my jobs. The customer's contact is shown while the job is open.",
    )
    def get(self, request, pk: int):
        job = self.job(pk)
        if job.is_open:  # only an open job shows the customer's contact
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                channel=AuditChannel.API,
                object_type="technician_job",
                object_id=job.pk,
                customer=job.rental.customer,
            )
        return Response(s.JobOutput(job).data)


class JobAcceptView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        request=s.AcceptInput,
        responses={200: s.JobOutput, **errors(400, 404, 409, 415, 422)},
        parameters=[IDEMPOTENCY_KEY],
        examples=[ex.AT_ONLY, ex.JOB],
        description="Confirm the job. Accepting again changes nothing.",
    )
    @idempotent
    def post(self, request, pk: int):
        data = self.valid(s.AcceptInput, request.data)
        return self.job_response(services.dispatch_accept(incident=self.job(pk), by=request.user, **data))


class JobDeclineView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        request=s.DeclineInput,
        responses={200: s.DeclineOutput, **errors(400, 404, 409, 415, 422)},
        parameters=[IDEMPOTENCY_KEY],
        examples=[ex.DECLINE, ex.DECLINED, ex.UNDER_WAY],
        description="Hand the job back to the dispatcher before setting off; the reason goes on its "
        "timeline. Once en route, call the dispatcher instead (409). Afterwards the job is no longer yours.",
    )
    @idempotent
    def post(self, request, pk: int):
        data = self.valid(s.DeclineInput, request.data)
        incident = services.dispatch_decline(incident=self.job(pk), by=request.user, **data)
        return Response(s.DeclineOutput({"id": incident.pk, "detail": "Handed back to the dispatcher."}).data)


class JobStatusView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        request=s.StatusInput,
        responses={200: s.JobOutput, **errors(400, 404, 409, 415, 422)},
        parameters=[IDEMPOTENCY_KEY],
        examples=[ex.EN_ROUTE, ex.ON_SITE, ex.RECOVERED, ex.JOB, ex.ILLEGAL_STEP],
        description="Report en_route, on_site or recovered (with the outcome) at the phone's time. "
        "A step the job has already passed (sent late from the offline queue) is recorded as late and "
        "answered 200 with the job as it is; the job never moves back. A step it cannot reach yet "
        "(recovered before on site) is 409.",
    )
    @idempotent
    def post(self, request, pk: int):
        data = self.valid(s.StatusInput, request.data)
        incident = services.technician_status_report(incident=self.job(pk), by=request.user, **data)
        return self.job_response(incident)


class JobNotesView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        request=s.NoteInput,
        responses={201: s.NoteOutput, **errors(400, 404, 415, 422)},
        parameters=[IDEMPOTENCY_KEY],
        examples=[ex.NOTE, ex.NOTE_CREATED],
        description="Add a note to the job's timeline, e.g. what you found on site.",
    )
    @idempotent
    def post(self, request, pk: int):
        data = self.valid(s.NoteInput, request.data)
        event = services.incident_note_add(
            incident=self.job(pk), text=data["text"], by=request.user, at=data["at"]
        )
        return Response(s.NoteOutput(event).data, status=status.HTTP_201_CREATED)


class JobCauseView(TechnicianAPIView):
    @extend_schema(
        tags=["technician"],
        request=s.JobCauseInput,
        responses={200: s.JobOutput, **errors(400, 404, 409, 415, 422)},
        parameters=[IDEMPOTENCY_KEY],
        description="Say what broke the machine. Customer damage needs a reason: it removes the customer's "
        "downtime credit (where their contract says so) and bills the repair to them, under your name.",
    )
    @idempotent
    def post(self, request, pk: int):
        data = self.valid(s.JobCauseInput, request.data)
        incident = services.incident_cause_classify(
            incident=self.job(pk), by=request.user, channel=Channel.TECHNICIAN, **data
        )
        return self.job_response(incident)


class JobPhotosView(TechnicianAPIView, generics.ListAPIView):
    serializer_class = s.PhotoOutput
    filter_backends: list = []

    # Photos come as multipart; a JSON upload is a 415. (The GET reads no body.)
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JobPhoto.objects.none()
        return selectors.job_photos(incident=self.job(self.kwargs["pk"]))

    @extend_schema(
        tags=["technician"],
        responses={200: s.PhotoOutput(many=True), **errors(404)},
        examples=[ex.PHOTO_PAGE],
        description="The photos of one of my jobs, oldest first.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["technician"],
        request={"multipart/form-data": s.PhotoInput},
        responses={201: s.PhotoOutput, **errors(400, 404, 415, 422)},
        parameters=[IDEMPOTENCY_KEY],
        examples=[ex.PHOTO, ex.PHOTO_REFUSED],
        description="Upload a photo (multipart: `file`, `taken_at`). JPEG, PNG or WebP, judged by the "
        "file's content, not its name; at most PHOTO_MAX_BYTES.",
    )
    @idempotent
    def post(self, request, pk: int):
        incident = self.job(pk)
        # Refuse an oversized upload before Django spools it to disk (the form fields add a little).
        limit = settings.PRONTO["PHOTO_MAX_BYTES"]
        if _declared_length(request) > limit + 64 * 1024:
            raise ValidationError({"file": [f"The photo is larger than the {human_size(limit)} limit."]})
        data = self.valid(s.PhotoInput, request.data)
        photo = services.job_photo_add(
            incident=incident, file=data["file"], by=request.user, taken_at=data["taken_at"]
        )
        return Response(
            s.PhotoOutput(photo, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
