"""Italian, whole: every string a page, a form, a service or an SMS shows has its Italian translation."""

import ast
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "it" / "LC_MESSAGES" / "django.po"
# Where the messages people read are written: a string raised from here reaches a page or the API.
SERVICE_MODULES = ["recovery", "fleet", "notifications", "console", "privacy", "core"]


def _entries(po_text: str) -> list[tuple[str, bool, str]]:
    """(msgid, fuzzy, msgstr) for each entry; plural entries count as translated when every form is."""
    entries = []
    for block in po_text.split("\n\n")[1:]:
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
            else:
                current, _, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
        if "msgid" in fields:
            translated = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((fields["msgid"], fuzzy, "" if not all(translated) else translated[0]))
    return entries


def test_every_marked_string_has_an_italian_translation(tmp_path, settings, monkeypatch):
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.fail("GNU gettext is missing: `make test` installs it (apt-get install gettext).")
    # Extract into a copy, the way a developer would with `makemessages`, and look at what is new.
    copy = tmp_path / "locale" / "it" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(PO, copy)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(ROOT)
    call_command(
        "makemessages",
        locale=["it"],
        ignore_patterns=[".venv", "node_modules", "static", "tests", "deploy", "docs", "bench"],
        no_obsolete=True,
        verbosity=0,
    )

    untranslated = [msgid for msgid, fuzzy, msgstr in _entries(copy.read_text()) if fuzzy or not msgstr]

    assert untranslated == [], "No Italian (or a fuzzy guess) in locale/it/LC_MESSAGES/django.po for these"


# Raised for operators and logs, never shown to the desk, a customer or a technician (an Http404's
# text shows only on Django's debug page; users get the 404 template).
INTERNAL_ERRORS = {
    "CommandError",
    "ValueError",
    "TransientSmsError",
    "UnknownOutcomeSmsError",
    "PermanentSmsError",
    "Http404",
    "RuntimeError",
}


def _raised_plain_text(path: Path) -> list[str]:
    """`raise SomeError("…")` or `raise SomeError(f"…")`: a message nobody can translate."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and node.exc.args
            and ast.unparse(node.exc.func) not in INTERNAL_ERRORS
        ):
            first = node.exc.args[0]
            if isinstance(first, ast.JoinedStr) or (
                isinstance(first, ast.Constant) and isinstance(first.value, str)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_service_error_message_goes_through_gettext():
    modules = [
        path
        for app in SERVICE_MODULES
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and "management" not in path.parts
    ]

    plain = [where for path in modules for where in _raised_plain_text(path)]

    assert plain == [], "Mark these messages with gettext so the Italian desk reads them in Italian"
