"""A small fake ISO 15143-3 ("AEMP 2.0") telematics server on 127.0.0.1, written from the
standard's shapes: the fleet snapshot in pages of `page_size` with Links (self/next/last), JSON
for Accept: application/json and XML otherwise, the FaultCodes time series per machine between
two UTC times, a bearer key, and 429 with Retry-After on demand. It records every path asked."""

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse
from xml.sax.saxutils import escape

NAMESPACE = "http://standards.iso.org/iso/15143/-3"
FLEET = re.compile(r"^/Fleet/(?P<page>\d+)$")
FAULTS = re.compile(
    r"^/Fleet/Equipment/(?P<id>[^/]+)/FaultCodes/(?P<start>[^/]+)/(?P<end>[^/]+)/(?P<page>\d+)$"
)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeEquipment:
    pin: str
    serial_number: str
    equipment_id: str
    lat: float
    lon: float
    hours: float
    running: bool
    at: datetime
    oem_name: str = "Kubota"
    model: str = "KX019-4"
    fuel_percent: float = 62.0

    def as_json(self) -> dict:
        at = iso(self.at)
        return {
            "EquipmentHeader": {
                "OEMName": self.oem_name,
                "Model": self.model,
                "EquipmentID": self.equipment_id,
                "SerialNumber": self.serial_number,
                "PIN": self.pin,
            },
            "Location": {"datetime": at, "Latitude": self.lat, "Longitude": self.lon},
            "CumulativeOperatingHours": {"datetime": at, "Hour": self.hours},
            "EngineStatus": {"datetime": at, "Running": self.running},
            "FuelRemaining": {"datetime": at, "Percent": self.fuel_percent},
        }

    def as_xml(self) -> str:
        at = iso(self.at)
        return (
            "<Equipment><EquipmentHeader>"
            f"<OEMName>{escape(self.oem_name)}</OEMName><Model>{escape(self.model)}</Model>"
            f"<EquipmentID>{escape(self.equipment_id)}</EquipmentID>"
            f"<SerialNumber>{escape(self.serial_number)}</SerialNumber><PIN>{escape(self.pin)}</PIN>"
            "</EquipmentHeader>"
            f'<Location datetime="{at}"><Latitude>{self.lat}</Latitude>'
            f"<Longitude>{self.lon}</Longitude></Location>"
            f'<CumulativeOperatingHours datetime="{at}"><Hour>{self.hours}</Hour></CumulativeOperatingHours>'
            f'<EngineStatus datetime="{at}"><Running>{str(self.running).lower()}</Running></EngineStatus>'
            f'<FuelRemaining datetime="{at}"><Percent>{self.fuel_percent}</Percent></FuelRemaining>'
            "</Equipment>"
        )


@dataclass
class FakeFault:
    at: datetime
    identifier: str  # e.g. "SPN 110 FMI 0"
    severity: str  # e.g. "Red Stop Lamp"
    description: str
    source: str = "ECM"

    def as_json(self) -> dict:
        return {
            "datetime": iso(self.at),
            "CodeIdentifier": self.identifier,
            "CodeSeverity": self.severity,
            "CodeDescription": self.description,
            "CodeSource": self.source,
        }

    def as_xml(self) -> str:
        return (
            f'<FaultCode datetime="{iso(self.at)}"><CodeIdentifier>{escape(self.identifier)}</CodeIdentifier>'
            f"<CodeSeverity>{escape(self.severity)}</CodeSeverity>"
            f"<CodeDescription>{escape(self.description)}</CodeDescription>"
            f"<CodeSource>{escape(self.source)}</CodeSource></FaultCode>"
        )


@dataclass
class FakeIso15143State:
    api_key: str
    page_size: int = 100
    equipment: list[FakeEquipment] = field(default_factory=list)
    faults: dict[str, list[FakeFault]] = field(default_factory=dict)  # by EquipmentID
    # Paths answered with 429 and this Retry-After, once each.
    throttle: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    # Many servers answer XML whatever the Accept header says.
    json: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)


def _links(path_of_page, page: int, last: int) -> list[tuple[str, str]]:
    links = [("self", path_of_page(page)), ("last", path_of_page(last))]
    if page < last:
        links.append(("next", path_of_page(page + 1)))
    if page > 1:
        links.append(("prev", path_of_page(page - 1)))
    return links


def _parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(unquote(text).replace("Z", "+00:00"))


class FakeIso15143:
    def __init__(self, *, api_key: str = "fake-aemp-key"):
        self.state = FakeIso15143State(api_key=api_key)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "FakeIso15143":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self):
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: str, content_type: str, headers: dict | None = None):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlparse(self.path).path
                with state.lock:
                    state.requests.append(path)
                    retry_after = state.throttle.pop(path, None)
                if self.headers.get("Authorization") != f"Bearer {state.api_key}":
                    return self._send(401, '{"message": "Unauthorized"}', "application/json")
                if retry_after is not None:
                    return self._send(
                        429,
                        '{"message": "Too many requests"}',
                        "application/json",
                        {"Retry-After": str(retry_after)},
                    )
                wants_json = state.json and "application/json" in self.headers.get("Accept", "")
                if match := FLEET.match(path):
                    items = state.equipment
                    collection, element = "Fleet", "Equipment"
                    path_of_page = lambda n: f"/Fleet/{n}"  # noqa: E731
                elif match := FAULTS.match(path):
                    start, end = _parse_utc(match["start"]), _parse_utc(match["end"])
                    items = [f for f in state.faults.get(unquote(match["id"]), []) if start <= f.at <= end]
                    collection, element = "FaultCodes", "FaultCode"
                    prefix = path.rsplit("/", 1)[0]
                    path_of_page = lambda n: f"{prefix}/{n}"  # noqa: E731
                else:
                    return self._send(404, '{"message": "Not found"}', "application/json")
                page = int(match["page"])
                last = max(1, -(-len(items) // state.page_size))
                if page > last:
                    return self._send(404, '{"message": "No such page"}', "application/json")
                chunk = items[(page - 1) * state.page_size : page * state.page_size]
                links = _links(path_of_page, page, last)
                snapshot = iso(datetime.now(UTC))
                if wants_json:
                    body = {
                        "version": "2",
                        "snapshotTime": snapshot,
                        "Links": [{"rel": rel, "href": href} for rel, href in links],
                        element: [item.as_json() for item in chunk],
                    }
                    return self._send(200, json.dumps(body), "application/json")
                xml_links = "".join(
                    f"<Links><rel>{rel}</rel><href>{href}</href></Links>" for rel, href in links
                )
                body = (
                    f'<?xml version="1.0" encoding="UTF-8"?><{collection} xmlns="{NAMESPACE}" version="2" '
                    f'snapshotTime="{snapshot}">{xml_links}'
                    f"{''.join(item.as_xml() for item in chunk)}</{collection}>"
                )
                return self._send(200, body, "application/xml")

        return Handler
