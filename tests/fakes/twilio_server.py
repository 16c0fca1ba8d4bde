"""A small fake of Twilio's Messages API on 127.0.0.1, for the real twilio client to talk to.

It checks auth and parameters the way Twilio does, answers with Twilio-shaped JSON, fails or
hangs on demand, records every message it accepts, and posts signed status callbacks back.

Like Twilio it knows Messaging Services (a pool of sender numbers; with From, that number of the
pool sends; without, the number the recipient had before, else the least busy one) and, once a
rate is set, queues each number's messages and releases them at that many segments a second:
a message's `date_sent` is when it would leave for the carrier.

WhatsApp goes through the same endpoint with "whatsapp:+39…" addresses. Like Twilio the fake
accepts free text only within 24 hours of the customer's last WhatsApp to us (posted through
`post_inbound`, or told with `customer_wrote`) and answers 63016 otherwise; an approved template
(ContentSid and its ContentVariables) goes at any time."""

import base64
import json
import random
import re
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from twilio.request_validator import RequestValidator

from notifications.segments import segment_count

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
WHATSAPP = "whatsapp:"
CONTENT_SID = re.compile(r"^HX[0-9a-f]{32}$")
WHATSAPP_WINDOW = timedelta(hours=24)
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-f]{32})/Messages\.json$")
# A hang never outlives this, so a forgotten release cannot wedge the test run.
MAX_HANG_SECONDS = 30.0


# The credentials the suite's fake Twilio accepts (and signs its callbacks with).
ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
FROM_NUMBER = "+390200000001"
MESSAGING_SERVICE_SID = "MG" + "0" * 31 + "1"
SENDER_POOL = [f"+3902000001{index:02d}" for index in range(10)]
TWILIO_BACKEND = "notifications.backends.twilio.TwilioBackend"


@dataclass
class FakeMessage:
    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None
    status: str = "queued"
    date_created: datetime = field(default_factory=lambda: datetime.now(UTC))
    messaging_service_sid: str | None = None
    segments: int = 1
    # When the sender number's queue releases it to the carrier (None: no rate set, not modelled).
    date_sent: datetime | None = None
    # A WhatsApp template: its ContentSid and the variables it was filled with.
    content_sid: str | None = None
    content_variables: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{self.sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": self.body,
            "date_created": format_datetime(self.date_created, usegmt=True),
            "date_sent": format_datetime(self.date_sent, usegmt=True) if self.date_sent else None,
            "date_updated": format_datetime(self.date_created, usegmt=True),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": self.to,
            "uri": uri,
        }


@dataclass
class _Failure:
    status: int
    code: int
    message: str


@dataclass
class _Hang:
    accept: bool
    released: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)


class FakeTwilio:
    def __init__(self, *, account_sid: str, auth_token: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[FakeMessage] = []
        self.requests_seen = 0
        self._planned: list[_Failure | _Hang] = []
        self.messaging_services: dict[str, list[str]] = {}
        # Segments per second each sender number releases; None: released at once, not modelled.
        self.rate_per_number: float | None = None
        # Each create answers after a random pause up to this long, as a loaded API does.
        self.max_answer_seconds = 0.0
        self._free_at: dict[str, datetime] = {}
        # When each WhatsApp user ("whatsapp:+39…") last wrote to us: their 24-hour window.
        self.whatsapp_last_inbound: dict[str, datetime] = {}
        self._hangs: list[_Hang] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeTwilio":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release_hangs()
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget messages and plans between tests; the server (and its port) stays up."""
        self._release_hangs()
        with self._lock:
            self.messages.clear()
            self._planned.clear()
            self.requests_seen = 0
            self.messaging_services.clear()
            self.rate_per_number = None
            self.max_answer_seconds = 0.0
            self._free_at.clear()
            self.whatsapp_last_inbound.clear()

    def slow_down(self, max_seconds: float) -> None:
        """Answer each create after a random pause of up to `max_seconds` (a slow, jittery API)."""
        self.max_answer_seconds = max_seconds

    def add_messaging_service(self, sid: str, numbers: list[str]) -> None:
        with self._lock:
            self.messaging_services[sid] = list(numbers)

    def limit_rate(self, segments_per_second: float) -> None:
        """Release each sender number's messages at this rate, as Twilio's per-number queues do."""
        with self._lock:
            self.rate_per_number = segments_per_second

    def _release_hangs(self) -> None:
        with self._lock:
            hangs, self._hangs = self._hangs, []
        for hang in hangs:
            hang.released.set()

    # What the next create request meets. -------------------------------------------------
    def fail_next(self, *, status: int, code: int, message: str = "Simulated failure") -> None:
        with self._lock:
            self._planned.append(_Failure(status=status, code=code, message=message))

    def hang_next(self, *, accept: bool) -> _Hang:
        """The next create hangs until released. accept=True: Twilio took the message and the
        answer is lost; accept=False: the request never got processed."""
        hang = _Hang(accept=accept)
        with self._lock:
            self._planned.append(hang)
            self._hangs.append(hang)
        return hang

    def customer_wrote(self, address: str, *, at: datetime | None = None) -> None:
        """`address` ("whatsapp:+39…") wrote to us at `at` (now): their 24-hour window opens."""
        with self._lock:
            self.whatsapp_last_inbound[address] = at or datetime.now(UTC)

    def inbound_request(self, url: str, *, from_: str, to: str, body: str) -> tuple[dict[str, str], str]:
        """(form params, X-Twilio-Signature) of the inbound message Twilio would post to `url`.

        A WhatsApp opens the customer's 24-hour window here, as it does at Twilio."""
        params = {
            "AccountSid": self.account_sid,
            "From": from_,
            "To": to,
            "Body": body,
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "NumMedia": "0",
        }
        if from_.startswith(WHATSAPP):
            self.customer_wrote(from_)
        return params, RequestValidator(self.auth_token).compute_signature(url, params)

    def post_inbound(self, url: str, *, from_: str, to: str, body: str) -> int:
        """Post a signed inbound message to our webhook over HTTP; the HTTP status."""
        params, signature = self.inbound_request(url, from_=from_, to=to, body=body)
        request = urllib.request.Request(  # noqa: S310  (loopback URL chosen by the test)
            url,
            data=urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status

    def bodies_to(self, number: str) -> list[str]:
        with self._lock:
            return [message.body for message in self.messages if message.to == number]

    def message(self, sid: str) -> FakeMessage:
        with self._lock:
            return next(message for message in self.messages if message.sid == sid)

    # Status callbacks --------------------------------------------------------------------
    def status_callback_request(
        self, sid: str, status: str, *, error_code: int | None = None, auth_token: str | None = None
    ) -> tuple[str, dict[str, str], str]:
        """(url, form params, X-Twilio-Signature) of the callback Twilio would post for `sid`."""
        message = self.message(sid)
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "From": message.from_,
            "To": message.to,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        signature = RequestValidator(auth_token or self.auth_token).compute_signature(
            message.status_callback, params
        )
        return message.status_callback, params, signature

    def post_status_callback(self, sid: str, status: str, *, error_code: int | None = None) -> int:
        """Post the signed callback over HTTP to the message's StatusCallback; the HTTP status."""
        url, params, signature = self.status_callback_request(sid, status, error_code=error_code)
        request = urllib.request.Request(  # noqa: S310  (loopback URL chosen by the test)
            url,
            data=urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status

    # The HTTP side -----------------------------------------------------------------------
    def _take_plan(self) -> _Failure | _Hang | None:
        with self._lock:
            return self._planned.pop(0) if self._planned else None

    def _create(self, account: str, form: dict[str, list[str]]) -> tuple[int, dict]:
        def one(name: str) -> str:
            return form.get(name, [""])[0]

        to, from_, body, service = one("To"), one("From"), one("Body"), one("MessagingServiceSid")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if service:
            pool = self.messaging_services.get(service)
            if pool is None:
                return _error(400, 21705, "The Messaging Service Sid is invalid.")
            if from_ and from_ not in pool:
                return _error(
                    400, 21606, f"The From phone number {from_} is not in the Messaging Service's pool."
                )
            from_ = from_ or self._pool_sender(pool, to)
        if not from_:
            return _error(400, 21603, "A 'From' phone number is required.")
        content_sid, variables = one("ContentSid"), one("ContentVariables")
        if to.startswith(WHATSAPP) != from_.startswith(WHATSAPP):
            return _error(400, 63007, "Twilio could not find a Channel with the specified From address.")
        if content_sid:
            if not to.startswith(WHATSAPP) or not CONTENT_SID.match(content_sid):
                return _error(400, 21656, "The ContentSid is invalid.")
            try:
                content_variables = json.loads(variables or "{}")
            except ValueError:
                return _error(400, 21656, "The ContentVariables Parameter is invalid.")
            if not isinstance(content_variables, dict):
                return _error(400, 21656, "The ContentVariables Parameter is invalid.")
            body = str(content_variables.get("1", ""))
        elif not body:
            return _error(400, 21602, "Message body is required.")
        elif to.startswith(WHATSAPP) and not self._window_open(to):
            return _error(
                400, 63016, "Failed to send freeform message because you are outside the allowed window."
            )
        if not E164.match(to.removeprefix(WHATSAPP)):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not E164.match(from_.removeprefix(WHATSAPP)):
            return _error(400, 21212, f"The 'From' number {from_} is not a valid phone number.")
        if len(body) > 1600:
            return _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        message = FakeMessage(
            sid=f"SM{uuid.uuid4().hex}",
            account_sid=account,
            to=to,
            from_=from_,
            body=body,
            status_callback=one("StatusCallback") or None,
            messaging_service_sid=service or None,
            segments=segment_count(body)[1],
            content_sid=content_sid or None,
            content_variables=content_variables if content_sid else {},
        )
        with self._lock:
            if self.rate_per_number:
                leaves = max(message.date_created, self._free_at.get(from_, message.date_created))
                message.date_sent = leaves
                self._free_at[from_] = leaves + timedelta(seconds=message.segments / self.rate_per_number)
            self.messages.append(message)
        return 201, message.as_json()

    def _window_open(self, to: str) -> bool:
        with self._lock:
            wrote = self.whatsapp_last_inbound.get(to)
        return wrote is not None and datetime.now(UTC) - wrote < WHATSAPP_WINDOW

    def _pool_sender(self, pool: list[str], to: str) -> str:
        """Sticky sender: the number this recipient had before, else the one free soonest."""
        with self._lock:
            for message in reversed(self.messages):
                if message.to == to and message.from_ in pool:
                    return message.from_
            epoch = datetime.min.replace(tzinfo=UTC)
            return min(pool, key=lambda number: self._free_at.get(number, epoch))

    def _list(self, account: str, query: dict[str, list[str]]) -> tuple[int, dict]:
        to, from_ = query.get("To", [None])[0], query.get("From", [None])[0]
        with self._lock:
            found = [
                message.as_json()
                for message in reversed(self.messages)
                if (to is None or message.to == to) and (from_ is None or message.from_ == from_)
            ]
        page_size = int(query.get("PageSize", ["50"])[0])
        uri = f"/2010-04-01/Accounts/{account}/Messages.json"
        return 200, {
            "messages": found[:page_size],
            "end": min(len(found), page_size) - 1,
            "first_page_uri": uri,
            "next_page_uri": None,
            "page": 0,
            "page_size": page_size,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }

    def _authorised(self, header: str | None, account: str) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.account_sid == account and password == self.auth_token

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # keep test output clean
                pass

            def _answer(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _route(self) -> str | None:
                match = MESSAGES_PATH.match(urlparse(self.path).path)
                if match is None:
                    self._answer(*_error(404, 20404, "The requested resource was not found"))
                    return None
                if not fake._authorised(self.headers.get("Authorization"), match["account"]):
                    self._answer(*_error(401, 20003, "Authenticate"))
                    return None
                return match["account"]

            def do_GET(self):
                account = self._route()
                if account is not None:
                    self._answer(*fake._list(account, parse_qs(urlparse(self.path).query)))

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                with fake._lock:
                    fake.requests_seen += 1
                account = self._route()
                if account is None:
                    return
                if fake.max_answer_seconds:
                    time.sleep(random.uniform(0, fake.max_answer_seconds))
                plan = fake._take_plan()
                if isinstance(plan, _Failure):
                    self._answer(*_error(plan.status, plan.code, plan.message))
                    return
                if isinstance(plan, _Hang):
                    answer = fake._create(account, form) if plan.accept else None
                    plan.started.set()
                    plan.released.wait(MAX_HANG_SECONDS)
                    if answer is None:
                        self.close_connection = True
                        return
                    self._answer(*answer)
                    return
                self._answer(*fake._create(account, form))

        return Handler


def _error(status: int, code: int, message: str) -> tuple[int, dict]:
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
