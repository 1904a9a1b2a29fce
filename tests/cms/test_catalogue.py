"""Every string of our code is in the Japanese catalogue, translated.

``makemessages`` runs on a copy of the project (so the committed catalogue
is untouched): a string wrapped for translation but not yet in the catalogue
comes out empty or fuzzy there. The compiled catalogues must say what the
.po files say (``make messages`` compiles them; both are committed).
"""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PROJECT = Path(__file__).resolve().parents[2]
OUR_CODE = ("cms", "scrapers", "translation", "publishers", "templates")
CATALOGUES = [
    PROJECT / "cms" / "locale" / "ja" / "LC_MESSAGES" / "django.po",
    PROJECT / "cms" / "locale_vendor" / "ja" / "LC_MESSAGES" / "django.po",
]


def _untranslated(catalogue: polib.POFile) -> list[str]:
    return [
        f"{entry.occurrences[:1]} {entry.msgid!r}" + (" (fuzzy)" if entry.fuzzy else "")
        for entry in catalogue
        if not entry.obsolete and (entry.fuzzy or not entry.translated())
    ]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> polib.POFile:
    copy = tmp_path_factory.mktemp("project")
    for name in OUR_CODE:
        shutil.copytree(
            PROJECT / name,
            copy / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.mo", "demo_feeds"),
        )
    shutil.copy(PROJECT / "manage.py", copy / "manage.py")
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DJANGO_READ_DOT_ENV_FILE": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(copy / CATALOGUES[0].relative_to(PROJECT)))


def test_every_string_of_our_code_is_in_the_catalogue_and_translated(regenerated):
    assert len(regenerated) > 500
    assert _untranslated(regenerated) == []


def test_the_committed_catalogue_has_no_untranslated_or_fuzzy_entry():
    for path in CATALOGUES:
        assert _untranslated(polib.pofile(str(path))) == [], path


@pytest.mark.parametrize("path", CATALOGUES, ids=["ours", "vendor"])
def test_the_compiled_catalogue_says_what_the_po_says(path):
    with open(path.with_suffix(".mo"), "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    stale = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete or not entry.msgid:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            got = mo._catalog.get((key, 0))
            want = entry.msgstr_plural[0]
        else:
            got, want = mo._catalog.get(key), entry.msgstr
        if got != want:
            stale.append(entry.msgid)
    assert stale == [], "run `make messages` (it compiles)"


# Keyword arguments and calls whose text people read in the admin.
SHOWN_KEYWORDS = {
    "verbose_name",
    "verbose_name_plural",
    "help_text",
    "label",
    "menu_label",
    "page_title",
    "heading",
}
MESSAGE_CALLS = {"success", "error", "warning", "info"}


def _unwrapped_literals(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg in SHOWN_KEYWORDS:
            value = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MESSAGE_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "messages"
            and len(node.args) >= 2
        ):
            value = node.args[1]
        else:
            continue
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and any(c.isalpha() for c in value.value)
        ):
            found.append((node.lineno if hasattr(node, "lineno") else 0, value.value))
        elif isinstance(value, ast.JoinedStr):
            found.append((getattr(value, "lineno", 0), "f-string"))
    return found


def test_labels_help_texts_and_messages_of_our_code_are_wrapped_for_translation():
    """What makemessages cannot see: a label written as a bare string."""
    found = []
    for package in ("cms", "scrapers", "translation", "publishers"):
        for path in (PROJECT / package).rglob("*.py"):
            if "migrations" in path.parts or "settings" in path.parts:
                continue
            for line, text in _unwrapped_literals(path.read_text()):
                found.append(f"{path.relative_to(PROJECT)}:{line} {text!r}")
    assert found == []
