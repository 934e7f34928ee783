"""Public provenance: nothing hubc ships or writes cites a document that does not ship with it.

The team's reference notes (domain.md, cpsat.md, vendors-kr.md, power-studies.md under
shared/reference, and the vendor data under shared/data) name the original source of each
figure - a standard and clause, a datasheet, a tariff, a dated publication - and that source is
what hubc cites. A user cannot look the notes up, so no file of the package and no output of the
examples may name them. Catalog entries say where each figure comes from or that it is an
estimate, and on what basis.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
import zipfile
from importlib import resources
from pathlib import Path

import pytest

import hubc

PACKAGE = Path(hubc.__file__).parent
UNSHIPPED = re.compile(r"domain\.md|cpsat\.md|vendors-kr\.md|power-studies\.md|shared/reference|shared/data")


def _package_files() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    )


def _hits(text: str) -> list[str]:
    return [text[max(0, m.start() - 60) : m.end() + 10] for m in UNSHIPPED.finditer(text)]


def test_no_package_file_names_an_unshipped_document():
    found = {}
    for path in _package_files():
        hits = _hits(path.read_text("utf-8", errors="replace"))
        if hits:
            found[path.relative_to(PACKAGE).as_posix()] = hits
    assert not found, found


def _output_texts(name: str, data: bytes) -> list[tuple[str, str]]:
    """(where, text) for one output file: xlsx members unzipped, design.json by top-level section."""
    if name.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(f"{name}:{m}", z.read(m).decode("utf-8", errors="replace")) for m in z.namelist()]
    text = data.decode("utf-8", errors="replace")
    if name == "design.json":
        design = json.loads(text)
        return [
            (f"{name}:{k}", json.dumps(v, ensure_ascii=False))
            for k, v in design.items()
        ]
    return [(name, text)]


def test_no_example_output_names_an_unshipped_document(example_outputs):
    found = {}
    for example, plan in example_outputs.items():
        for name, data in plan.items():
            for where, text in _output_texts(name, data):
                hits = _hits(text)
                if hits:
                    found[f"{example}/{where}"] = hits[:3]
    assert not found, found


# A cited source: a URL, a standard, a Korean tariff or regulation (약관, 기준, 시행령, 법) or a
# publication with its year; otherwise the text says it is an estimate (or a derivation) and gives
# its basis after the colon.
CITED = re.compile(
    r"https?://|\b(IEC|IEEE|KEC|KS|ISO|EN|ASME|AHRI|CTI|ASHRAE|TIA|NFPA|UL)\b|약관|기준|시행령|법\b|\b(19|20)\d{2}\b"
    r"|[a-z0-9-]+\.(com|kr|net|org|io)\b"
)
LABELLED = re.compile(r"^(estimate|derived)\b[^:]*: \S")


def _catalog_sources():
    folder = resources.files("hubc.catalog") / "data"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        yield from _sources(entry.name, tomllib.loads(entry.read_text("utf-8")))


def _sources(where: str, node):
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (key == "source" or key.endswith("_source")):
                yield f"{where}.{key}", value
            else:
                yield from _sources(f"{where}.{key}", value)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _sources(f"{where}[{i}]", value)


@pytest.mark.parametrize(("where", "text"), [pytest.param(w, t, id=w) for w, t in _catalog_sources()])
def test_every_catalog_figure_cites_a_source_or_is_a_labelled_estimate(where, text):
    assert CITED.search(text) or LABELLED.match(text), f"{where}: {text!r}"
