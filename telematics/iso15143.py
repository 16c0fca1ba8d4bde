"""A client for ISO 15143-3 ("AEMP 2.0") telematics servers: the fleet snapshot and the fault-code
time series, JSON (Accept: application/json) or XML, pages followed through Links rel "next".

Servers limit calls (one per URL every 15 minutes is common): a 429 raises RetryLater with the
server's Retry-After, and the caller waits that long before asking again."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin

import requests

from telematics.models import FaultSeverity

# A provider's paging must end; a loop of "next" links must not poll for ever.
MAX_PAGES = 10_000
DEFAULT_RETRY_AFTER_SECONDS = 900


class ProviderError(Exception):
    """The provider answered something we cannot use (an error status, a body we cannot read)."""


class RetryLater(ProviderError):
    def __init__(self, seconds: int):
        super().__init__(f"The provider asked us to wait {seconds} s (429).")
        self.seconds = seconds


@dataclass(frozen=True)
class Reading:
    at: datetime
    value: object


@dataclass(frozen=True)
class EquipmentSnapshot:
    pin: str
    serial_number: str
    equipment_id: str
    oem_name: str
    model: str
    location: Reading | None  # value: (lat, lon)
    operating_hours: Reading | None  # value: Decimal
    engine_running: Reading | None  # value: bool
    fuel_percent: Reading | None  # value: float


@dataclass(frozen=True)
class FaultPoint:
    at: datetime
    spn: int
    fmi: int
    severity: str
    description: str


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    # The standard's times are UTC; some servers leave the zone out.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_NUMBERS = re.compile(r"\d+")


def parse_code(identifier: str) -> tuple[int, int] | None:
    """J1939 SPN and FMI from the many spellings servers use: "SPN 110 FMI 0", "110-0", "110:0"."""
    numbers = _NUMBERS.findall(identifier or "")
    if len(numbers) < 2:
        return None
    return int(numbers[0]), int(numbers[1])


def parse_severity(text: str | None) -> str:
    """Lamps and levels as servers report them, onto our four severities."""
    value = (text or "").strip().lower()
    if any(word in value for word in ("stop", "protect", "shutdown", "critical")):
        return FaultSeverity.STOP
    if value in ("3", "high") or "red" in value:
        return FaultSeverity.RED
    if value in ("2", "medium", "warning") or "amber" in value or "mil" in value:
        return FaultSeverity.AMBER
    return FaultSeverity.INFO


# --- JSON ------------------------------------------------------------------------------------


def _get(mapping: dict, name: str):
    """Element names as the standard spells them; some servers lower-case the first letter."""
    if name in mapping:
        return mapping[name]
    return mapping.get(name[0].lower() + name[1:])


def _next_link(document: dict) -> str | None:
    for link in _get(document, "Links") or []:
        if str(link.get("rel", "")).lower() == "next":
            return link.get("href")
    return None


def _unwrap(document):
    # Some servers wrap the document in a one-element list.
    if isinstance(document, list):
        return document[0] if document else {}
    return document


def _json_reading(element: dict | None, *fields: str) -> tuple[datetime, list] | None:
    if not element:
        return None
    at = parse_time(_get(element, "datetime"))
    if at is None:
        return None
    return at, [_get(element, field) for field in fields]


def _equipment_from_json(item: dict) -> EquipmentSnapshot:
    header = _get(item, "EquipmentHeader") or {}
    location = _json_reading(_get(item, "Location"), "Latitude", "Longitude")
    hours = _json_reading(_get(item, "CumulativeOperatingHours"), "Hour")
    engine = _json_reading(_get(item, "EngineStatus"), "Running")
    fuel = _json_reading(_get(item, "FuelRemaining"), "Percent")
    return EquipmentSnapshot(
        pin=str(_get(header, "PIN") or ""),
        serial_number=str(_get(header, "SerialNumber") or ""),
        equipment_id=str(_get(header, "EquipmentID") or ""),
        oem_name=str(_get(header, "OEMName") or ""),
        model=str(_get(header, "Model") or ""),
        location=_location(location),
        operating_hours=_hours(hours),
        engine_running=_flag(engine),
        fuel_percent=_number(fuel),
    )


# --- XML -------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: ET.Element | None, name: str) -> str | None:
    child = _child(element, name)
    return child.text.strip() if child is not None and child.text else None


def _xml_next_link(root: ET.Element) -> str | None:
    for link in _children(root, "Links"):
        if (_text(link, "rel") or "").lower() == "next":
            return _text(link, "href")
    return None


def _xml_reading(element: ET.Element | None, *fields: str) -> tuple[datetime, list] | None:
    if element is None:
        return None
    # datetime is an attribute in the XML schema; a few servers send it as a child element.
    at = parse_time(element.get("datetime") or _text(element, "datetime"))
    if at is None:
        return None
    return at, [_text(element, field) for field in fields]


def _equipment_from_xml(item: ET.Element) -> EquipmentSnapshot:
    header = _child(item, "EquipmentHeader")
    return EquipmentSnapshot(
        pin=_text(header, "PIN") or "",
        serial_number=_text(header, "SerialNumber") or "",
        equipment_id=_text(header, "EquipmentID") or "",
        oem_name=_text(header, "OEMName") or "",
        model=_text(header, "Model") or "",
        location=_location(_xml_reading(_child(item, "Location"), "Latitude", "Longitude")),
        operating_hours=_hours(_xml_reading(_child(item, "CumulativeOperatingHours"), "Hour")),
        engine_running=_flag(_xml_reading(_child(item, "EngineStatus"), "Running")),
        fuel_percent=_number(_xml_reading(_child(item, "FuelRemaining"), "Percent")),
    )


# --- values ----------------------------------------------------------------------------------


def _location(reading) -> Reading | None:
    try:
        at, (lat, lon) = reading
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Reading(at, (lat, lon))


def _hours(reading) -> Reading | None:
    try:
        at, (hour,) = reading
        value = Decimal(str(hour)).quantize(Decimal("0.1"))
    except (TypeError, ValueError, InvalidOperation):
        return None
    return Reading(at, value) if value >= 0 else None


def _flag(reading) -> Reading | None:
    if reading is None:
        return None
    at, (value,) = reading
    if isinstance(value, bool):
        return Reading(at, value)
    if str(value).strip().lower() in ("true", "1", "on"):
        return Reading(at, True)
    if str(value).strip().lower() in ("false", "0", "off"):
        return Reading(at, False)
    return None


def _number(reading) -> Reading | None:
    try:
        at, (value,) = reading
        return Reading(at, float(value))
    except (TypeError, ValueError):
        return None


def _fault(at_text, identifier, severity, description) -> FaultPoint | None:
    at = parse_time(at_text)
    code = parse_code(str(identifier or ""))
    if at is None or code is None:
        return None
    return FaultPoint(at, code[0], code[1], parse_severity(severity), str(description or "")[:255])


# --- pages -----------------------------------------------------------------------------------


def _is_xml(response: requests.Response) -> bool:
    return "xml" in response.headers.get("Content-Type", "") or response.content.lstrip().startswith(b"<")


def parse_fleet_page(response: requests.Response) -> tuple[list[EquipmentSnapshot], str | None]:
    try:
        if _is_xml(response):
            # ElementTree does not fetch external entities, and the expat Python ships limits
            # entity expansion, so a hostile document cannot reach out or blow up memory.
            root = ET.fromstring(response.content)  # noqa: S314
            return [_equipment_from_xml(e) for e in _children(root, "Equipment")], _xml_next_link(root)
        document = _unwrap(response.json())
        items = _get(document, "Equipment") or []
        return [_equipment_from_json(item) for item in items], _next_link(document)
    except (ValueError, ET.ParseError, AttributeError, TypeError) as error:
        raise ProviderError(f"Unreadable fleet snapshot: {error}") from error


def parse_fault_page(response: requests.Response) -> tuple[list[FaultPoint], str | None]:
    try:
        if _is_xml(response):
            root = ET.fromstring(response.content)  # noqa: S314
            points = [
                _fault(
                    e.get("datetime") or _text(e, "datetime"),
                    _text(e, "CodeIdentifier"),
                    _text(e, "CodeSeverity"),
                    _text(e, "CodeDescription"),
                )
                for e in _children(root, "FaultCode")
            ]
            return [p for p in points if p], _xml_next_link(root)
        document = _unwrap(response.json())
        items = _get(document, "FaultCode") or _get(document, "FaultCodes") or []
        points = [
            _fault(
                _get(e, "datetime"),
                _get(e, "CodeIdentifier"),
                _get(e, "CodeSeverity"),
                _get(e, "CodeDescription"),
            )
            for e in items
        ]
        return [p for p in points if p], _next_link(document)
    except (ValueError, ET.ParseError, AttributeError, TypeError) as error:
        raise ProviderError(f"Unreadable fault codes: {error}") from error


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Iso15143Client:
    def __init__(self, *, base_url: str, api_key: str = "", timeout: float = 10.0):
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"

    def _fetch(self, url: str) -> requests.Response:
        try:
            response = self.session.get(url, timeout=self.timeout)
        except requests.RequestException as error:
            raise ProviderError(f"Could not reach the provider: {error}") from error
        if response.status_code == 429:
            raise RetryLater(_retry_after(response.headers.get("Retry-After")))
        if response.status_code == 404:
            # Past the last page, or a machine the provider no longer lists: nothing more to read.
            return response
        if response.status_code >= 400:
            raise ProviderError(f"The provider answered {response.status_code} for {url}.")
        return response

    def _pages(self, first_url: str, parse) -> Iterator:
        url: str | None = first_url
        seen: set[str] = set()
        while url and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            response = self._fetch(url)
            if response.status_code == 404:
                return
            items, next_link = parse(response)
            yield from items
            if not items:
                return
            url = urljoin(url, next_link) if next_link else None

    def fleet(self) -> Iterator[EquipmentSnapshot]:
        return self._pages(urljoin(self.base_url, "Fleet/1"), parse_fleet_page)

    def fault_codes(self, *, equipment_id: str, start: datetime, end: datetime) -> Iterator[FaultPoint]:
        path = f"Fleet/Equipment/{quote(equipment_id, safe='')}/FaultCodes/{_utc(start)}/{_utc(end)}/1"
        return self._pages(urljoin(self.base_url, path), parse_fault_page)


def _retry_after(value: str | None) -> int:
    if not value:
        return DEFAULT_RETRY_AFTER_SECONDS
    if value.strip().isdigit():
        return max(1, int(value.strip()))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_SECONDS
    return max(1, int((moment - datetime.now(UTC)).total_seconds()))
