"""The wheel carries the demo corpus, the codebooks and the compiled translations, so `fokus demo` works, in either
language, from a plain `pip install .`."""

from __future__ import annotations

import gettext
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_bundles_corpus_and_codebooks(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    (wheel,) = tmp_path.glob("fokus-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "fokus/bundled/codebooks/kommune-sosiale-medier.yaml" in names
    assert "fokus/bundled/corpus/cases.csv" in names
    assert "fokus/store/migrations/versions/0001_initial.py" in names
    assert "fokus/store/migrations/script.py.mako" in names
    corpus = {n for n in names if n.startswith("fokus/bundled/corpus/")}
    for folder in ("graph", "csv", "dyi", "transcripts"):
        assert any(n.startswith(f"fokus/bundled/corpus/{folder}/") for n in corpus), folder
    assert "fokus/bundled/corpus/codings.csv" in names
    # the whole study's demo: phase 1's pages file and texts, phase 2's survey
    assert {"fokus/bundled/corpus/pages/pages.csv", "fokus/bundled/corpus/survey/svar.csv"} <= names
    # the translators' catalogue, compiled: every translated entry of the .po reads back the same from the .mo
    mo = gettext.GNUTranslations(io.BytesIO(zipfile.ZipFile(wheel).read("fokus/locale/nb/LC_MESSAGES/fokus.mo")))
    with (ROOT / "fokus/locale/nb/LC_MESSAGES/fokus.po").open("rb") as handle:
        po = read_po(handle)
    translated = [m for m in po if m.id and isinstance(m.id, str) and m.string and not m.fuzzy]
    assert translated
    assert all((mo.pgettext(m.context, m.id) if m.context else mo.gettext(m.id)) == m.string for m in translated)
