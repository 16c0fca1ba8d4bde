"""Readers for the files in deploy/, shared by the deployment tests."""

import os
import re
import runpy
from pathlib import Path
from unittest import mock

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"

# Read by something other than settings.py: compose interpolation and prometheus_client.
INFRASTRUCTURE_VARIABLES = {
    "POSTGRES_PASSWORD",
    "PRONTO_IMAGE",
    "PROMETHEUS_MULTIPROC_DIR",
    "PGBOUNCER_UPSTREAM_URL",
}


def settings_env_names() -> set[str]:
    """Every variable config/settings.py reads through django-environ."""
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def gunicorn_env_names() -> set[str]:
    source = (DEPLOY / "gunicorn.conf.py").read_text()
    return set(re.findall(r"os\.environ\.get\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def known_env_names() -> set[str]:
    return settings_env_names() | gunicorn_env_names() | INFRASTRUCTURE_VARIABLES


def env_example(include_commented: bool = False) -> dict[str, str]:
    """NAME=value pairs of deploy/env.example; optional ones are written `# NAME=default`."""
    pattern = r"^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$" if include_commented else r"^([A-Z][A-Z0-9_]*)=(.*)$"
    text = (DEPLOY / "env.example").read_text()
    return {name: value for name, value in re.findall(pattern, text, flags=re.MULTILINE)}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def k8s_documents() -> list[dict]:
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def k8s_objects(kind: str) -> list[dict]:
    return [doc for doc in k8s_documents() if doc.get("kind") == kind]


# Workloads that run another project's pinned image (routing engine, connection pooler), not Pronto's own.
THIRD_PARTY_WORKLOADS = {"osrm", "osrm-prepare", "pronto-pgbouncer"}


def k8s_containers(*, ours: bool = True) -> list[dict]:
    """The containers of Pronto's own workloads (ours=True) or of the third-party ones."""
    containers = []
    for workload in k8s_objects("Deployment") + k8s_objects("Job"):
        if (workload["metadata"]["name"] in THIRD_PARTY_WORKLOADS) != ours:
            containers += workload["spec"]["template"]["spec"]["containers"]
    return containers


def gunicorn_config(**env: str) -> dict:
    """The settings deploy/gunicorn.conf.py produces, as gunicorn would read them."""
    with mock.patch.dict(os.environ, env):
        return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
