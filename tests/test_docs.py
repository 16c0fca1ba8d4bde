"""The docs point at things that exist: files in this repository, and settings Pronto reads."""

import re
from pathlib import Path

import pytest

from tests.deploy.deployfiles import known_env_names

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "deploy" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FILE_SUFFIXES = (".py", ".md", ".yaml", ".yml", ".toml", ".sh", ".conf", ".example", ".po", ".txt")


def ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("doc", DOCS, ids=ids)
def test_links_in_the_docs_lead_to_files_in_the_repository(doc):
    targets = re.findall(r"\]\(([^)\s]+)\)", doc.read_text())
    local = [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:|#", t)]

    broken = [t for t in local if not (doc.parent / t).resolve().is_relative_to(ROOT)]
    broken += [t for t in local if not (doc.parent / t).exists()]
    assert broken == []


@pytest.mark.parametrize("doc", DOCS, ids=ids)
def test_files_named_in_the_docs_exist_in_the_repository(doc):
    named = {
        name
        for name in re.findall(r"`([\w./-]+)`", doc.read_text())
        if "/" in name and name.endswith(FILE_SUFFIXES) and "://" not in name
    }

    # A path is named from the repository's root, or from the doc's own folder (deploy/README.md).
    missing = [name for name in named if not ((ROOT / name).exists() or (doc.parent / name).exists())]
    assert sorted(missing) == []


@pytest.mark.parametrize("doc", DOCS, ids=ids)
def test_the_docs_lean_on_nothing_outside_the_repository(doc):
    text = doc.read_text()

    assert re.findall(r"\.\./shared|/work/|REFERENCE\.md|STYLE\.md", text) == []


def test_every_setting_in_the_readme_configuration_table_is_one_pronto_reads():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}

    assert documented, "The README's configuration table is empty or moved."
    assert sorted(documented - known_env_names()) == []
