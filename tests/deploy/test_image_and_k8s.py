"""The Dockerfile builds a lean non-root image; the k8s manifests run it the way gunicorn listens."""

import re

from django.urls import resolve

from tests.deploy.deployfiles import (
    DEPLOY,
    compose,
    gunicorn_config,
    k8s_containers,
    k8s_documents,
    k8s_objects,
    known_env_names,
)

IMAGE = "pronto"


def dockerfile_stages() -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text()
    return re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]


def test_image_is_built_in_two_stages_from_python_312_slim():
    stages = dockerfile_stages()

    assert len(stages) == 2
    assert all(stage.startswith("python:3.12-slim") for stage in stages)


def test_final_stage_has_no_build_tools_runs_as_non_root_and_collects_static():
    final = dockerfile_stages()[-1]

    assert "build-essential" not in final and "gcc" not in final
    assert "COPY --from=build /opt/venv /opt/venv" in final
    user = re.search(r"^USER (\S+)", final, flags=re.MULTILINE).group(1)
    assert not user.startswith(("root", "0"))
    assert "collectstatic" in final
    assert re.search(r'CMD \["gunicorn", "--config", "deploy/gunicorn.conf.py"', final)


def test_gunicorn_logs_access_to_stdout_with_workers_from_the_environment():
    config = gunicorn_config(GUNICORN_WORKERS="5", GUNICORN_TIMEOUT="20")

    assert config["workers"] == 5
    assert config["timeout"] == 20
    assert config["accesslog"] == "-"
    assert "x-request-id" in config["access_log_format"]


def test_all_manifests_parse_and_every_container_runs_the_dockerfile_image():
    kustomization = next(doc for doc in k8s_documents() if doc.get("kind") == "Kustomization")
    compose_image = compose()["services"]["web"]["image"]

    assert {container["image"] for container in k8s_containers()} == {IMAGE}
    assert [image["name"] for image in kustomization["images"]] == [IMAGE]
    assert compose_image.startswith(f"${{PRONTO_IMAGE:-{IMAGE}:")
    assert "-t pronto:" in (DEPLOY / "Dockerfile").read_text()


def test_third_party_images_are_pinned_to_a_release():
    images = {container["image"] for container in k8s_containers(ours=False)}

    assert images == {"osrm/osrm-backend:v5.27.1", "edoburu/pgbouncer:1.23.1-p2"}
    assert compose()["services"]["osrm"]["image"] == "osrm/osrm-backend:v5.27.1"
    assert compose()["services"]["pgbouncer"]["image"] == "edoburu/pgbouncer:1.23.1-p2"


def test_web_container_port_is_the_one_gunicorn_binds():
    gunicorn_port = int(gunicorn_config()["bind"].rsplit(":", 1)[1])
    [web] = [c for c in k8s_containers() if c["name"] == "web"]

    assert [p["containerPort"] for p in web["ports"]] == [gunicorn_port]


def test_web_probes_hit_readyz_and_healthz_which_the_app_serves():
    [web] = [c for c in k8s_containers() if c["name"] == "web"]
    readiness = web["readinessProbe"]["httpGet"]
    liveness = web["livenessProbe"]["httpGet"]

    assert (readiness["path"], liveness["path"]) == ("/readyz", "/healthz")
    assert resolve(readiness["path"]).url_name == "readyz"
    assert resolve(liveness["path"]).url_name == "healthz"


def test_probes_send_a_host_header_that_allowed_hosts_accepts():
    [config_map] = k8s_objects("ConfigMap")
    allowed = config_map["data"]["ALLOWED_HOSTS"].split(",")
    [web] = [c for c in k8s_containers() if c["name"] == "web"]

    for probe in (web["readinessProbe"], web["livenessProbe"]):
        headers = {h["name"]: h["value"] for h in probe["httpGet"]["httpHeaders"]}
        assert headers["Host"] in allowed


def test_beat_is_a_single_pod_replaced_not_rolled():
    [beat] = [d for d in k8s_objects("Deployment") if d["metadata"]["name"] == "pronto-beat"]

    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"


def test_workers_scale_horizontally_and_migrations_run_as_a_job():
    [hpa] = k8s_objects("HorizontalPodAutoscaler")
    [job] = [job for job in k8s_objects("Job") if job["metadata"]["name"] == "pronto-migrate"]

    assert hpa["spec"]["scaleTargetRef"]["name"] == "pronto-worker"
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"][-2:] == ["migrate", "--noinput"]


def test_web_is_reachable_through_a_service_and_a_tls_ingress():
    [service] = [s for s in k8s_objects("Service") if s["metadata"]["name"] == "pronto-web"]
    [ingress] = k8s_objects("Ingress")

    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "pronto-web"}
    assert ingress["spec"]["tls"][0]["secretName"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]


def test_the_routing_engine_is_served_where_the_config_map_points_the_app():
    [config_map] = k8s_objects("ConfigMap")
    [osrm] = [service for service in k8s_objects("Service") if service["metadata"]["name"] == "osrm"]
    [routed] = [d for d in k8s_objects("Deployment") if d["metadata"]["name"] == "osrm"]

    assert config_map["data"]["ROUTING_PROVIDER"] == "routing.providers.OsrmProvider"
    assert config_map["data"]["OSRM_URL"] == f"http://osrm:{osrm['spec']['ports'][0]['port']}"
    assert routed["spec"]["template"]["spec"]["containers"][0]["args"][:3] == [
        "osrm-routed",
        "--algorithm",
        "mld",
    ]


def test_config_map_and_secret_only_set_variables_the_app_reads():
    [config_map] = k8s_objects("ConfigMap")
    [secret] = k8s_objects("Secret")
    names = set(config_map["data"]) | set(secret["stringData"])
    for container in k8s_containers():
        names |= {env["name"] for env in container.get("env", [])}

    assert names - known_env_names() == set()


def test_secret_manifest_holds_placeholders_only():
    [secret] = k8s_objects("Secret")

    for name, value in secret["stringData"].items():
        assert "change-me" in value or "example" in value, name
    assert "data" not in secret


def test_every_workload_runs_as_non_root():
    for workload in k8s_objects("Deployment") + k8s_objects("Job"):
        assert workload["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_pods_reach_postgres_through_pgbouncer_in_transaction_mode_and_migrations_directly():
    [pooler] = [d for d in k8s_objects("Deployment") if d["metadata"]["name"] == "pronto-pgbouncer"]
    [config_map] = k8s_objects("ConfigMap")
    [secret] = k8s_objects("Secret")
    [migrate] = [job for job in k8s_objects("Job") if job["metadata"]["name"] == "pronto-migrate"]
    pooler_env = {e["name"]: e for e in pooler["spec"]["template"]["spec"]["containers"][0]["env"]}
    migrate_env = {e["name"]: e for e in migrate["spec"]["template"]["spec"]["containers"][0]["env"]}

    assert pooler_env["POOL_MODE"]["value"] == "transaction"
    assert "@pronto-pgbouncer:5432/" in secret["stringData"]["DATABASE_URL"]
    assert config_map["data"]["DISABLE_SERVER_SIDE_CURSORS"] == "true"
    assert secret["stringData"]["REPORTS_DATABASE_URL"] == secret["stringData"]["PGBOUNCER_UPSTREAM_URL"]
    direct = {"secretKeyRef": {"name": "pronto-secrets", "key": "PGBOUNCER_UPSTREAM_URL"}}
    assert pooler_env["DATABASE_URL"]["valueFrom"] == migrate_env["DATABASE_URL"]["valueFrom"] == direct
