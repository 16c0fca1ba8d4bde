"""The reference Pronto is measured against in bench/api_load.py: the same answers from raw SQL
behind plain WSGI and json, no framework. It shows what the database and the server alone cost.

Served by gunicorn with deploy/gunicorn.conf.py, like Pronto. Reads REFERENCE_DATABASE_DSN."""

import json
import os
from datetime import datetime

import psycopg2

_connection = None

TOKEN_SQL = "SELECT user_id FROM authtoken_token WHERE key = %s"
INCIDENT_SQL = """
SELECT i.site_lat, i.site_lon, m.category_id
FROM recovery_incident i JOIN fleet_machine m ON m.id = i.broken_machine_id WHERE i.id = %s
"""
NEAREST_SQL = """
WITH accepted AS (
    SELECT %(category)s::bigint AS category_id, 0 AS preference
    UNION ALL
    SELECT substitute_id, preference FROM fleet_categorysubstitute WHERE category_id = %(category)s
)
SELECT m.id, m.fleet_number, mc.name, b.name, c.preference,
       earth_distance(ll_to_earth(m.lat, m.lon), ll_to_earth(%(lat)s, %(lon)s)) / 1000.0 AS km
FROM accepted AS c
CROSS JOIN LATERAL (
    SELECT id, fleet_number, lat, lon, home_branch_id FROM fleet_machine
    WHERE status = 'available' AND lat IS NOT NULL AND category_id = c.category_id
    ORDER BY ll_to_earth(lat, lon) <-> ll_to_earth(%(lat)s, %(lon)s)
    LIMIT 5
) AS m
JOIN fleet_machinecategory mc ON mc.id = c.category_id
JOIN fleet_branch b ON b.id = m.home_branch_id
ORDER BY km LIMIT 5
"""
CREW_SQL = """
SELECT t.id, u.first_name, b.name,
       earth_distance(ll_to_earth(t.lat, t.lon), ll_to_earth(%(lat)s, %(lon)s)) / 1000.0 AS km
FROM fleet_technician t
JOIN fleet_technician_skills s ON s.technician_id = t.id AND s.machinecategory_id = %(category)s
JOIN auth_user u ON u.id = t.user_id JOIN fleet_branch b ON b.id = t.home_branch_id
WHERE t.on_shift AND t.lat IS NOT NULL
ORDER BY km LIMIT 3
"""
PING_SQL = """
UPDATE fleet_technician SET lat = %(lat)s, lon = %(lon)s, position_updated_at = %(at)s
WHERE user_id = %(user)s AND (position_updated_at IS NULL OR position_updated_at < %(at)s)
"""


def _cursor():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(os.environ["REFERENCE_DATABASE_DSN"])
        _connection.autocommit = True
    return _connection.cursor()


def _answer(start_response, status: str, body: object):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _user(cursor, environ) -> int | None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Token "):
        return None
    cursor.execute(TOKEN_SQL, [header[6:]])
    row = cursor.fetchone()
    return row[0] if row else None


def suggestions(cursor, incident_id: int) -> dict:
    cursor.execute(INCIDENT_SQL, [incident_id])
    lat, lon, category = cursor.fetchone()
    params = {"category": category, "lat": lat, "lon": lon}
    cursor.execute(NEAREST_SQL, params)
    machines = [
        {"machine_id": r[0], "fleet_number": r[1], "category": r[2], "branch": r[3], "km": round(r[5], 1)}
        for r in cursor.fetchall()
    ]
    cursor.execute(CREW_SQL, params)
    crews = [{"technician_id": r[0], "name": r[1], "branch": r[2], "km": round(r[3], 1)} for r in cursor]
    return {"suggestions": machines, "technicians": crews}


def application(environ, start_response):
    path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
    with _cursor() as cursor:
        user = _user(cursor, environ)
        if user is None:
            return _answer(start_response, "401 Unauthorized", {"detail": "token"})
        if method == "GET" and path.startswith("/api/v1/incidents/") and path.endswith("/suggestions/"):
            return _answer(start_response, "200 OK", suggestions(cursor, int(path.split("/")[4])))
        if method == "POST" and path == "/api/v1/technician/location/":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            ping = json.loads(environ["wsgi.input"].read(size))["pings"][-1]
            at = datetime.fromisoformat(ping["at"])
            cursor.execute(PING_SQL, {"lat": ping["lat"], "lon": ping["lon"], "at": at, "user": user})
            return _answer(
                start_response, "200 OK", {"accepted": 1, "position_updated": cursor.rowcount == 1}
            )
    return _answer(start_response, "404 Not Found", {"detail": "not here"})
