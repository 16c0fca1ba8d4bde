"""The routing engine ships beside Pronto: OSRM (MLD) over an Italy extract, in compose and Kubernetes."""

import yaml

from tests.deploy.deployfiles import K8S, compose, k8s_objects


def osrm_documents() -> list[dict]:
    return [doc for doc in yaml.safe_load_all((K8S / "osrm" / "osrm.yaml").read_text()) if doc]


def test_compose_prepares_the_italy_extract_once_then_serves_it_with_mld():
    services = compose()["services"]

    prepare = " ".join(services["osrm-prepare"]["command"])
    assert "osrm-extract -p /opt/car.lua /data/italy.osm.pbf" in prepare
    assert "osrm-partition" in prepare and "osrm-customize" in prepare
    assert "italy-latest.osm.pbf" in " ".join(services["osrm-download"]["command"])
    assert services["osrm"]["command"][:3] == ["osrm-routed", "--algorithm", "mld"]
    assert services["osrm"]["depends_on"]["osrm-prepare"]["condition"] == "service_completed_successfully"


def test_kubernetes_serves_osrm_as_the_service_pronto_is_pointed_at():
    documents = osrm_documents()
    [service] = [d for d in documents if d["kind"] == "Service"]
    [deployment] = [d for d in documents if d["kind"] == "Deployment"]
    [job] = [d for d in documents if d["kind"] == "Job"]
    [config_map] = k8s_objects("ConfigMap")
    kustomization = next(d for d in yaml.safe_load_all((K8S / "kustomization.yaml").read_text()) if d)

    assert "osrm" in kustomization["resources"]
    assert config_map["data"]["ROUTING_PROVIDER"] == "routing.providers.OsrmProvider"
    assert (
        config_map["data"]["OSRM_URL"]
        == f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    )
    assert deployment["spec"]["template"]["spec"]["containers"][0]["args"][:3] == [
        "osrm-routed",
        "--algorithm",
        "mld",
    ]
    assert "osrm-customize" in job["spec"]["template"]["spec"]["containers"][0]["args"][0]
