"""Pronto's one settings module: everything comes from the environment, with defaults
that let `make run` start on a fresh checkout (SQLite, eager Celery, SMS on the console)."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# "production" turns the deployment checks into hard errors (see core/checks.py).
PRONTO_ENVIRONMENT = env.str("PRONTO_ENVIRONMENT", default="development")
PRODUCTION = PRONTO_ENVIRONMENT == "production"
# The fallback key is only good for a laptop; production refuses it (see core/checks.py).
INSECURE_DEFAULT_SECRET_KEY = "pronto-insecure-development-key-change-me"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address customers and Twilio reach us at: tracking links and webhook signatures use it.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Trigram and unaccent lookups for the desk's search (fleet/search.py); inert on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "phonenumber_field",
    "csp",
    "core",
    "routing",
    "fleet",
    "contracts",
    "workshop",
    "recovery",
    "notifications",
    "integrations",
    "telematics",
    "privacy",
    "console",
]

MIDDLEWARE = [
    # Outermost, so every log line of the request carries its id and the latency covers it all.
    "core.logs.RequestIdMiddleware",
    "core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "console.middleware.UserLanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "console.context_processors.console",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo on SQLite with two dispatchers at once: a deferred transaction that reads, then
    # writes, fails at once with "database is locked" (SQLite cannot wait to upgrade a read lock).
    # BEGIN IMMEDIATE takes the write lock first, so the second dispatcher waits its turn (up to
    # the timeout) and then sees the machine taken; WAL lets the board read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Behind pgbouncer in transaction mode a server-side cursor cannot outlive its transaction: set this
# (deploy/README.md). Reports keep theirs on REPORTS_DATABASE_URL, a direct connection.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
# Reports (loyalty page, CSV export, /metrics) read here when set: a replica, or the primary directly.
REPORTS_DATABASE_URL = env.str("REPORTS_DATABASE_URL", default="")
if REPORTS_DATABASE_URL:
    DATABASES["reports"] = env.db_url_config(REPORTS_DATABASE_URL)
    DATABASES["reports"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
DATABASE_ROUTERS = ["core.db.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# API throttling counts in the cache: with several gunicorn workers point it at Redis
# (CACHE_URL=redis://127.0.0.1:6379/1), or each worker keeps its own count.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("it", "Italiano"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Rome")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

PHONENUMBER_DEFAULT_REGION = "IT"
PHONENUMBER_DB_FORMAT = "E164"

REST_FRAMEWORK = {
    # Token first: DRF answers a missing or revoked credential with the first class's challenge,
    # and only a token's (WWW-Authenticate: Token) makes that a 401 rather than a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("THROTTLE_LOGIN", default="10/min"),
        "user": env.str("THROTTLE_USER", default="600/min"),
        # Per technician: a phone pinging every 15 s plus its taps and a queue flushing after a tunnel.
        "technician": env.str("THROTTLE_TECHNICIAN", default="240/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Pronto API",
    "DESCRIPTION": (
        "Service recovery for a rental fleet: log a breakdown, dispatch the nearest "
        "compatible replacement, keep the customer informed, measure recovery speed."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: dispatch offices often have no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "recovery.models.IncidentStatus",
        "MachineStatusEnum": "fleet.models.MachineStatus",
        "ChannelEnum": "recovery.models.Channel",
        "WorkOrderSeverityEnum": "workshop.models.WorkOrderSeverity",
        "WorkOrderStatusEnum": "workshop.models.WorkOrderStatus",
        "DowntimeCreditStatusEnum": "recovery.models.DowntimeCreditStatus",
        "MachineStatusSetByHandEnum": "recovery.services.fleet_records.MACHINE_STATUSES_SET_BY_HAND",
        "RentalStatusEnum": "fleet.models.RentalStatus",
        "SeverityEnum": "recovery.models.Severity",
        "FaultSeverityEnum": "telematics.models.FaultSeverity",
    },
}

# Celery: without a broker URL every task runs in-process, so `make run` needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# acks_late alone does not requeue a task whose worker process was killed.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "pronto"
# Countdowns longer than the visibility timeout would run twice; keep every countdown below it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# delay() can hang for ever when the broker is down; the durable outbox row is the safety net.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = TIME_ZONE
# Workers log through LOGGING below (JSON, masking) instead of Celery's own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Exactly one beat process must run (see deploy/README.md). The SMS sweeper sends what a lost task
# left behind; surveys go out a configured time after recovery.
CELERY_BEAT_SCHEDULE = {
    "sla-watch": {"task": "recovery.sla_watch", "schedule": 60.0},
    # Nightly: what yesterday's arrivals teach the next promises (recovery.learning).
    "promise-fit": {"task": "recovery.travel_corrections_fit", "schedule": crontab(hour=2, minute=30)},
    "sms-sweep": {"task": "notifications.tasks.messages_sweep_task", "schedule": 60.0},
    "sms-surveys": {"task": "notifications.tasks.surveys_send_due_task", "schedule": 300.0},
    # Webhooks to the rental system: what a lost task or a dead worker left behind, and due retries.
    "webhooks-sweep": {"task": "integrations.webhooks_sweep", "schedule": 60.0},
    # Daily, in the quiet of the night (TIME_ZONE): SMS bodies and stored API answers past retention.
    "personal-data-retention": {"task": "privacy.retention_apply", "schedule": crontab(hour=3, minute=30)},
    # Each provider is polled at its own interval (Provider.poll_interval_seconds); this only looks.
    "telematics-poll": {"task": "telematics.providers_poll_due", "schedule": 60.0},
    # Tomorrow's partitions exist well before midnight; days past retention are dropped.
    "telematics-partitions": {"task": "telematics.partitions_maintain", "schedule": 3600.0},
    # Suspected incidents of machines gone silent after a stop-severity fault.
    "telematics-silent": {"task": "telematics.suspected_incidents_escalate", "schedule": 300.0},
}

# Outside services, chosen like EMAIL_BACKEND.
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.backends.console.ConsoleBackend")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
# A Messaging Service spreads texts over a pool of numbers, each with its own send rate. Pronto
# picks the number (the same one for a customer every time, so their texts stay in order and in
# one thread) and needs the pool's numbers for that; with these set TWILIO_FROM is not used.
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_SENDER_POOL = env.list("TWILIO_SENDER_POOL", default=[])
# WhatsApp through the same Twilio account: the WhatsApp sender (empty: TWILIO_FROM) and the
# approved templates (Content API ContentSids, "kind:language" -> "HX..."; JSON) a message we start
# outside the customer's 24-hour window must go as. A kind without a template goes by SMS there.
TWILIO_WHATSAPP_FROM = env.str("TWILIO_WHATSAPP_FROM", default="")
WHATSAPP_TEMPLATES = env.json("WHATSAPP_TEMPLATES", default={})
# Only for tests and local fakes: where the twilio client sends its requests.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
# Connect and read timeout for each Twilio request; without one a hung request blocks a worker for ever.
TWILIO_HTTP_TIMEOUT_SECONDS = env.float("TWILIO_HTTP_TIMEOUT_SECONDS", default=10.0)
# Travel times: the straight line (the demo's default) or a self-hosted OSRM (routing.providers).
ROUTING_PROVIDER = env.str("ROUTING_PROVIDER", default="routing.providers.StraightLineProvider")
OSRM_URL = env.str("OSRM_URL", default="http://127.0.0.1:5000")
# A dispatch waits at most this long for the road network before the straight line stands in.
OSRM_TIMEOUT_SECONDS = env.float("OSRM_TIMEOUT_SECONDS", default=2.0)
# After this many failures in a row, the road network is left alone for the cooldown.
OSRM_BREAKER_FAILURES = env.int("OSRM_BREAKER_FAILURES", default=3)
OSRM_BREAKER_COOLDOWN_SECONDS = env.float("OSRM_BREAKER_COOLDOWN_SECONDS", default=30.0)

PRONTO = {
    # ETA: travel time = geodesic km x circuity / branch road speed + preparation.
    "ETA_ROAD_CIRCUITY": env.float("ETA_ROAD_CIRCUITY", default=1.3),
    "ETA_PREPARATION_MINUTES": env.int("ETA_PREPARATION_MINUTES", default=20),
    # The straight line's speed where no depot speed applies (a crew driving alone, not towing).
    "ETA_DEFAULT_SPEED_KMH": env.float("ETA_DEFAULT_SPEED_KMH", default=55.0),
    # Replacement search.
    "SUGGESTION_RADIUS_KM": env.float("SUGGESTION_RADIUS_KM", default=250.0),
    "SUGGESTION_COUNT": env.int("SUGGESTION_COUNT", default=5),
    # A substitute must be this much sooner to outrank the exact category.
    "SUBSTITUTE_PENALTY_MINUTES": env.int("SUBSTITUTE_PENALTY_MINUTES", default=15),
    "PROMISE_GRACE_MINUTES": env.int("PROMISE_GRACE_MINUTES", default=10),
    # The promise we text is this quantile of the learnt arrival distribution (recovery.learning),
    # fitted per branch and hour-of-week band once it has this many journeys, from this many days.
    "PROMISE_QUANTILE": env.float("PROMISE_QUANTILE", default=0.8),
    "PROMISE_MIN_SAMPLES": env.int("PROMISE_MIN_SAMPLES", default=20),
    "PROMISE_HISTORY_DAYS": env.int("PROMISE_HISTORY_DAYS", default=120),
    # Before a branch has that history: the promise is the plan's travel time plus this much.
    "PROMISE_DEFAULT_CUSHION_PCT": env.int("PROMISE_DEFAULT_CUSHION_PCT", default=20),
    # How many on-shift crews the dispatch plan weighs for each machine (nearest first).
    "PLAN_CREWS": env.int("PLAN_CREWS", default=3),
    "SLA_WARNING_MINUTES": env.int("SLA_WARNING_MINUTES", default=60),
    # Ritz-Carlton rule: anyone may spend up to this to fix a customer's problem.
    "GOODWILL_LIMIT_EUR": env.int("GOODWILL_LIMIT_EUR", default=2000),
    "ETA_DELAY_MARGIN_MINUTES": env.int("ETA_DELAY_MARGIN_MINUTES", default=15),
    "SURVEY_DELAY_MINUTES": env.int("SURVEY_DELAY_MINUTES", default=60),
    "TRACKING_LINK_MAX_AGE_HOURS": env.int("TRACKING_LINK_MAX_AGE_HOURS", default=72),
    # How often an open tracking page asks for news; the crew's pings come about once a minute.
    "TRACKING_POLL_SECONDS": env.int("TRACKING_POLL_SECONDS", default=20),
    # Twilio releases 10 segments a second per number to destinations outside the US and Canada
    # (Italian mobiles); a US or Canadian long code gets 1.
    "SMS_RATE_PER_SECOND": env.float("SMS_RATE_PER_SECOND", default=10.0),
    # Transient Twilio errors retry after 30 s, 60 s, 120 s...; after this many, call the customer.
    "SMS_RETRY_BASE_SECONDS": env.float("SMS_RETRY_BASE_SECONDS", default=30.0),
    "SMS_MAX_ATTEMPTS": env.int("SMS_MAX_ATTEMPTS", default=6),
    # A queued SMS this old has lost its task (broker down at commit): the sweeper enqueues it again.
    "SMS_SWEEP_GRACE_SECONDS": env.int("SMS_SWEEP_GRACE_SECONDS", default=60),
    # Longer than any Twilio request can last (see TWILIO_HTTP_TIMEOUT_SECONDS), so a send still in
    # flight is never taken for a dead one.
    "SMS_STALE_SENDING_SECONDS": env.int("SMS_STALE_SENDING_SECONDS", default=120),
    # Personal data (docs/personal-data.md). SMS bodies, and the customer's texts quoted on the
    # timeline, are deleted after this; the ledger rows stay for the delivery figures.
    "SMS_BODY_RETENTION_DAYS": env.int("SMS_BODY_RETENTION_DAYS", default=180),
    # Stored answers of Idempotency-Key requests repeat customer data; retries come within minutes.
    "IDEMPOTENCY_KEY_RETENTION_HOURS": env.int("IDEMPOTENCY_KEY_RETENTION_HOURS", default=24),
    # Technician app. A ping revises the ETA only when it moves this much, so the timeline
    # shows real changes rather than one line per ping.
    "LIVE_ETA_THRESHOLD_MINUTES": env.int("LIVE_ETA_THRESHOLD_MINUTES", default=5),
    # When the pings put the crew this close to the site (expected arrival), the customer gets
    # one "arriving in about N minutes" text.
    "LAST_MILE_MINUTES": env.int("LAST_MILE_MINUTES", default=10),
    # Phones' clocks drift; a device time further ahead than this is refused as a wrong clock.
    "DEVICE_CLOCK_TOLERANCE_MINUTES": env.int("DEVICE_CLOCK_TOLERANCE_MINUTES", default=5),
    # An offline queue older than this is a wrong clock or a lost phone, not a report to apply.
    "DEVICE_TIME_MAX_AGE_HOURS": env.int("DEVICE_TIME_MAX_AGE_HOURS", default=48),
    "PHOTO_MAX_BYTES": env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024),
    # Pings one request may carry: an hour offline at one ping every 15 s is 240.
    "LOCATION_BATCH_MAX": env.int("LOCATION_BATCH_MAX", default=500),
    "TECHNICIAN_RECENT_DAYS": env.int("TECHNICIAN_RECENT_DAYS", default=7),
    # Downtime credit, where neither the rental nor the customer has its own terms: a breakdown
    # reported within this many hours of the machine going down suspends the hire, unless misuse.
    "DOWNTIME_REPORTING_WINDOW_HOURS": env.int("DOWNTIME_REPORTING_WINDOW_HOURS", default=2),
    "DOWNTIME_MISUSE_VOIDS": env.bool("DOWNTIME_MISUSE_VOIDS", default=True),
    # Webhooks to the rental system. Retries after 30 s, 60 s, 120 s... up to an hour apart; after
    # this many attempts (about a day and a half) the delivery is failed and waits for a replay.
    "WEBHOOK_HTTP_TIMEOUT_SECONDS": env.float("WEBHOOK_HTTP_TIMEOUT_SECONDS", default=10.0),
    "WEBHOOK_RETRY_BASE_SECONDS": env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0),
    "WEBHOOK_RETRY_MAX_SECONDS": env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0),
    "WEBHOOK_MAX_ATTEMPTS": env.int("WEBHOOK_MAX_ATTEMPTS", default=45),
    # Waits up to this ride on the task's countdown (kept below CELERY_VISIBILITY_TIMEOUT); longer
    # ones on the sweeper.
    "WEBHOOK_TASK_COUNTDOWN_MAX_SECONDS": env.int("WEBHOOK_TASK_COUNTDOWN_MAX_SECONDS", default=300),
    # Longer than any POST can last (WEBHOOK_HTTP_TIMEOUT_SECONDS): a send older than this died with
    # its worker.
    "WEBHOOK_STALE_SENDING_SECONDS": env.int("WEBHOOK_STALE_SENDING_SECONDS", default=60),
}

# Telematics (telematics/): machines' reports go onto a Redis Stream and consumers load them in
# batches (`manage.py telematics_consume`, as many processes as the volume needs). Without a stream
# URL (and no Celery broker) each batch is loaded in-process, as `make run` does on SQLite.
TELEMATICS_STREAM_URL = env.str("TELEMATICS_STREAM_URL", default=CELERY_BROKER_URL)
TELEMATICS = {
    "STREAM_KEY": env.str("TELEMATICS_STREAM_KEY", default="pronto:telematics:events"),
    # Entries one consumer takes at a time: bigger batches load faster, smaller ones sooner.
    "BATCH_SIZE": env.int("TELEMATICS_BATCH_SIZE", default=1000),
    # A batch pending this long belongs to a consumer that died: another one claims it.
    "CLAIM_IDLE_SECONDS": env.int("TELEMATICS_CLAIM_IDLE_SECONDS", default=60),
    # Days of raw events kept (one partition a day on PostgreSQL); older days are dropped whole.
    "RETENTION_DAYS": env.int("TELEMATICS_RETENTION_DAYS", default=90),
    "PARTITIONS_AHEAD_DAYS": env.int("TELEMATICS_PARTITIONS_AHEAD_DAYS", default=3),
    # A machine's clock may run this far ahead of ours; further is a wrong clock and is refused.
    "CLOCK_TOLERANCE_MINUTES": env.int("TELEMATICS_CLOCK_TOLERANCE_MINUTES", default=10),
    # Events one push request may carry.
    "PUSH_BATCH_MAX": env.int("TELEMATICS_PUSH_BATCH_MAX", default=1000),
    # Connect and read timeout for each request to a provider's ISO 15143-3 server.
    "HTTP_TIMEOUT_SECONDS": env.float("TELEMATICS_HTTP_TIMEOUT_SECONDS", default=10.0),
    # How far back the first fault-code read of a machine goes.
    "FAULT_HISTORY_HOURS": env.int("TELEMATICS_FAULT_HISTORY_HOURS", default=24),
    # A machine with a stop-severity fault that stops, or is silent this long, during working hours
    # (local time, Monday to Friday) is a breakdown: its suspected incident confirms itself.
    "SILENT_MINUTES": env.int("TELEMATICS_SILENT_MINUTES", default=20),
    "WORKING_HOURS_START": env.int("TELEMATICS_WORKING_HOURS_START", default=7),
    "WORKING_HOURS_END": env.int("TELEMATICS_WORKING_HOURS_END", default=19),
}

# The dispatcher console. Map tiles come from a server you choose (e.g. your own tile cache);
# empty means no tiles: the map still shows the site, machines and crews on a plain background.
# The customer's tracking page carries the rental company's brand: name, logo, colours, phone.
BRAND_NAME = env.str("BRAND_NAME", default="Pronto Noleggi")
# Empty: the mark shipped in notifications/static. Another host's image is admitted by the CSP below.
BRAND_LOGO_URL = env.str("BRAND_LOGO_URL", default="")
BRAND_PRIMARY_COLOR = env.str("BRAND_PRIMARY_COLOR", default="#0b4f8a")
BRAND_ACCENT_COLOR = env.str("BRAND_ACCENT_COLOR", default="#f2a900")
# The number customers call; empty: the phone of the branch handling their incident.
BRAND_PHONE = env.str("BRAND_PHONE", default="")
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
CONSOLE_BOARD_POLL_SECONDS = env.int("CONSOLE_BOARD_POLL_SECONDS", default=5)
# Open incidents per board page, most urgent first: a screenful, so a poll stays light at thousands.
CONSOLE_BOARD_PAGE_SIZE = env.int("CONSOLE_BOARD_PAGE_SIZE", default=50)
CSRF_FAILURE_VIEW = "console.views.csrf_failure"

# "json" in production: one object a line, for the log collector. Plain text reads better locally.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logs.RequestIdFilter"},
        "redact": {"()": "core.logs.RedactCustomerDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            # ISO 8601 in UTC: Django switches the process to TIME_ZONE, asctime would follow.
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Prometheus scrapes /metrics with this bearer token; without one the endpoint does not exist.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Production defaults to the safe side; each can still be set explicitly.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# Probes and the scraper talk to the pod over plain HTTP, not through the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0

# Every script, style, image and font is served from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Map tiles are images from the tile server: the CSP must let the browser load them.
# "https://{s}.tile.example.org/{z}/{x}/{y}.png" -> "https://*.tile.example.org".
_image_hosts = [
    "/".join(url.split("/")[:3]).replace("{s}", "*")
    for url in (MAP_TILE_URL, BRAND_LOGO_URL)
    if url.startswith(("http://", "https://"))
]
if _image_hosts:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = ["'self'", *_image_hosts]
