"""gunicorn settings for the web container, read from the environment (see deploy/env.example)."""

import multiprocessing
import os
import shutil

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers: the views are short database calls; scale out with replicas, not threads.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Longer than any honest request (the slowest is a nearest-machine search, well under a second),
# shorter than the proxy's 60 s, so gunicorn kills a stuck worker before nginx gives up.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Above nginx's upstream keepalive_timeout, so nginx closes idle connections first.
keepalive = 75
# Recycle workers now and then, so a slow leak never reaches the memory limit - but rarely: a new
# worker imports the app and fills its caches again, and recycling every 2,000 requests cost 25 % of
# throughput (deploy/README.md, "Tuning"). 0 turns recycling off.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# The heartbeat file on an overlay filesystem can stall workers; /dev/shm is memory.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (gunicorn only touches its own heartbeat file there)

# The control socket's default home is read-only in our pods, and nobody runs gunicornc there.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# %({x-request-id}o)s is the id the app returned, so an access line joins the app's log lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'

if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def on_starting(server) -> None:
    # Metric files of a previous run would be summed into this one's.
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from core.metrics import dead_worker_archive

        dead_worker_archive(pid=worker.pid, directory=directory)
