"""Production settings pass Django's deployment checks, and a misconfigured container refuses to start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.deploy.deployfiles import ROOT, env_example, settings_env_names


def production_env(**overrides: str) -> dict[str, str]:
    """The process environment an operator gets from deploy/env.example, with a real SECRET_KEY."""
    inherited = {k: v for k, v in os.environ.items() if k not in settings_env_names()}
    python_bin = str(Path(sys.executable).parent)
    return {
        **inherited,
        "PATH": f"{python_bin}:{inherited.get('PATH', '')}",
        **env_example(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        **overrides,
    }


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_deploy_check_is_clean_with_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_defaults_turn_on_https_protections_without_being_asked():
    env = production_env()
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stderr


def test_default_secret_key_in_production_fails_the_check_with_e002():
    env = production_env(SECRET_KEY=settings.INSECURE_DEFAULT_SECRET_KEY)

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "pronto.E002" in result.stderr


def test_debug_in_production_fails_the_check_with_e003():
    result = manage("check", env=production_env(DEBUG="true"))

    assert result.returncode != 0
    assert "pronto.E003" in result.stderr


def test_development_defaults_still_pass_the_plain_check():
    env = {k: v for k, v in os.environ.items() if k not in settings_env_names()}

    result = manage("check", env=env)

    assert result.returncode == 0, result.stderr


def run_entrypoint(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", "deploy/entrypoint.sh", "echo", "started"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_container_refuses_to_start_in_production_with_the_default_secret_key():
    result = run_entrypoint(production_env(SECRET_KEY=settings.INSECURE_DEFAULT_SECRET_KEY))

    assert result.returncode != 0
    assert "pronto.E002" in result.stderr
    assert "started" not in result.stdout


def test_container_starts_its_command_when_production_is_configured():
    result = run_entrypoint(production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("started")


@pytest.mark.parametrize(
    ("path", "content_type", "starts"),
    [
        ("/healthz", "application/json", b'{"status": "ok"}'),
        ("/readyz", "application/json", b'{"status": "ok", "database": "ok", "broker": "ok"}'),
        ("/metrics", "text/plain; version=1.0.0; charset=utf-8", b"# HELP "),
    ],
)
def test_probes_and_scrapes_over_plain_http_are_answered_not_redirected_to_https(
    client, settings, db, path, content_type, starts
):
    """A kubelet probe or a Prometheus scrape inside the cluster speaks plain HTTP and gets its answer."""
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_TOKEN = "scrape-token"

    response = client.get(path, headers={"Authorization": "Bearer scrape-token"})

    assert response.status_code == 200
    assert "Location" not in response
    assert response["Content-Type"] == content_type
    assert response.content.startswith(starts)


def test_plain_http_page_requests_are_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/api/v1/machines/?page=2")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/machines/?page=2"


def test_https_behind_the_proxy_is_not_redirected_again(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/api/v1/machines/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 401
    assert "Location" not in response
    assert response.json()["code"] == "not_authenticated"


def test_pages_carry_a_same_origin_content_security_policy(client):
    response = client.get("/healthz")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
