"""deploy/docker-compose.yml runs one image as web, workers and a single beat, behind nginx."""

import re
import shutil
import subprocess

import pytest

from tests.deploy.deployfiles import DEPLOY, compose, env_example, known_env_names

APP_SERVICES = ("web", "worker", "beat", "migrate")


def docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not docker_compose_available(), reason="no `docker compose` here; structure tests below")
def test_docker_compose_accepts_the_file_with_the_example_environment(tmp_path):
    env_file = DEPLOY / ".env"
    created = not env_file.exists()
    if created:
        shutil.copy(DEPLOY / "env.example", env_file)
    try:
        result = subprocess.run(
            ["docker", "compose", "-f", str(DEPLOY / "docker-compose.yml"), "config", "-q"],
            capture_output=True,
            text=True,
        )
    finally:
        if created:
            env_file.unlink()
    assert result.returncode == 0, result.stderr


def test_every_service_of_a_deployment_is_there():
    services = compose()["services"]

    assert {"web", "worker", "beat", "migrate", "postgres", "pgbouncer", "redis", "nginx"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_web_worker_beat_and_migrate_run_the_same_image():
    services = compose()["services"]

    images = {services[name]["image"] for name in APP_SERVICES}
    builds = {services[name]["build"]["dockerfile"] for name in APP_SERVICES}
    assert len(images) == 1
    assert builds == {"deploy/Dockerfile"}


def test_exactly_one_service_runs_celery_beat_with_one_replica():
    services = compose()["services"]

    beats = [name for name, svc in services.items() if "beat" in svc.get("command", [])]
    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]


def test_app_services_wait_for_the_migrations_to_finish():
    services = compose()["services"]

    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_healthchecks_probe_readyz_on_web_and_healthz_through_nginx():
    services = compose()["services"]

    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in " ".join(services["nginx"]["healthcheck"]["test"])
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_healthchecks_use_a_host_the_production_config_allows():
    services = compose()["services"]
    allowed = env_example()["ALLOWED_HOSTS"].split(",")

    for name in ("web", "nginx"):
        url = re.search(r"http://([\w.-]+)[:/]", " ".join(services[name]["healthcheck"]["test"]))
        assert url.group(1) in allowed


def test_variables_the_compose_file_uses_are_documented_and_read_by_someone():
    text = (DEPLOY / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    services = compose()["services"]
    app_environment = set()
    for name in APP_SERVICES:
        app_environment |= set(services[name].get("environment") or {})

    documented = set(env_example(include_commented=True))
    assert interpolated | app_environment <= documented
    assert app_environment <= known_env_names()
    assert all(services[name]["env_file"] == ".env" for name in APP_SERVICES)


def test_env_example_lists_every_variable_settings_read_and_nothing_stale():
    documented = set(env_example(include_commented=True))

    assert known_env_names() - documented == set()
    assert documented - known_env_names() == set()


def test_nginx_terminates_tls_and_forwards_what_django_trusts():
    conf = (DEPLOY / "nginx.conf").read_text()
    mounts = " ".join(compose()["services"]["nginx"]["volumes"])

    assert re.search(r"listen 80\b", conf) and "return 301 https://" in conf
    assert re.search(r"listen 443 ssl", conf)
    assert "/etc/nginx/certs/fullchain.pem" in conf and "/etc/nginx/certs:ro" in mounts
    # settings.SECURE_PROXY_SSL_HEADER reads X-Forwarded-Proto: nginx must overwrite it.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header X-Request-ID" in conf
    assert re.search(r"client_max_body_size \d+m;", conf)
    assert "alias /srv/static/;" in conf and "static:/srv/static:ro" in mounts


def test_app_goes_through_pgbouncer_in_transaction_mode_and_reports_read_postgres_directly():
    services = compose()["services"]
    pooler = services["pgbouncer"]["environment"]

    assert pooler["POOL_MODE"] == "transaction" and "@postgres:5432/" in pooler["DATABASE_URL"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert "@pgbouncer:5432/" in environment["DATABASE_URL"]
        assert environment["DISABLE_SERVER_SIDE_CURSORS"] == "true"
        assert "@postgres:5432/" in environment["REPORTS_DATABASE_URL"]
    assert "environment" not in services["migrate"]  # migrations talk to PostgreSQL itself
