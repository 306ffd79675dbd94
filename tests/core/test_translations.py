"""Spanish ships complete: every string in the code has a translation, and the compiled
catalog matches its source."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIR = ROOT / "campaign" / "translations" / "es" / "LC_MESSAGES"


def _read_catalog():
    with (CATALOG_DIR / "messages.po").open("rb") as handle:
        return read_po(handle, locale="es")


def _translated(string) -> bool:
    """A plural entry is a tuple of forms, truthy even when every form is empty."""
    return all(string) if isinstance(string, tuple) else bool(string)


def test_every_string_in_the_code_has_a_spanish_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(template),
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
    )
    with template.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    catalog = _read_catalog()
    translated = {message.id for message in catalog if message.id and _translated(message.string) and not message.fuzzy}

    def key(message_id):
        return message_id if isinstance(message_id, str) else message_id[0]

    missing = sorted(key(message_id) for message_id in wanted - translated)
    assert not missing, f"{len(missing)} strings lack a Spanish translation (make translations-update): {missing[:10]}"


def test_compiled_catalog_matches_the_po_file():
    compiled = io.BytesIO()
    write_mo(compiled, _read_catalog())
    assert (CATALOG_DIR / "messages.mo").read_bytes() == compiled.getvalue(), "run make translations-compile"
