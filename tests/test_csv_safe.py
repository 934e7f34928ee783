"""Every CSV hubc writes is RFC 4180 (CRLF, quoted CR/LF/quote/comma) and safe against formula
injection (OWASP): read back with Python's csv module, each record is one row and no text cell
starts with a formula character, even after blanks, line breaks or fullwidth forms."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest

from hubc.emit.bom import COLUMNS, emit_bom
from hubc.emit.safe import Numeral, csv_bytes, csv_cell, is_formula_like
from hubc.emit.suppliers import emit_suppliers
from tests.proc_helpers import E, load_spec, procurement

PAYLOADS = [
    "GB200 rack\r=cmd|' /C calc'!A0",  # the issue's: a CR then a formula
    " =1+1",  # leading space
    "\n=1+1",  # leading line feed
    "\r\n@SUM(A1:A9)",
    "\t=1+1",
    "＝1+1",  # fullwidth equals sign, NFKC-folds to "="
    "　＋cmd|' /C calc'!A0",  # ideographic space, fullwidth plus
    "﹦2",  # small equals sign
    "-2+3",
    '=HYPERLINK("http://evil.example","x")',
    'say "hi", then\nleave',  # quote, comma and LF in one field
]


def _dangerous(cell: str) -> bool:
    """What a spreadsheet could take for a formula: the first non-blank character after NFKC."""
    folded = unicodedata.normalize("NFKC", cell)
    return cell[:1] in ("\t", "\r") or folded.lstrip()[:1] in ("=", "+", "-", "@")


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_one_cell_and_neutralised(payload):
    data = csv_bytes(["id", "text", "n"], [["a", payload, 1], ["b", "plain", -2]])
    rows = _read(data)
    assert rows == [["id", "text", "n"], ["a", csv_cell(payload), "1"], ["b", "plain", "-2"]]
    cell = rows[1][1]
    if _dangerous(payload):
        assert cell == "'" + payload
    assert not _dangerous(cell)
    # RFC 4180: every record ends in CRLF; a bare CR or LF only ever occurs inside quotes.
    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") - payload.count("\r\n") == 3


def test_records_end_in_crlf_and_special_fields_are_quoted():
    data = csv_bytes(["a", "b"], [['x,y', 'q"q'], ["l\nf", "c\rr"]])
    assert data == b'a,b\r\n"x,y","q""q"\r\n"l\nf","c\rr"\r\n'


def test_numbers_stay_numbers():
    # Figures hubc writes (ints, floats, formatted numerals) are never prefixed, even when negative.
    assert csv_cell(-5) == -5 and csv_cell(-2.5) == -2.5
    assert csv_cell(Numeral("-1.250")) == "-1.250"
    assert csv_bytes(["x"], [[Numeral("-1.250")], [-3]]) == b"x\r\n-1.250\r\n-3\r\n"
    # ... while the same characters as user text are neutralised.
    assert csv_cell("-1.250") == "'-1.250"


def test_ordinary_text_is_untouched():
    for text in ("GB200 NVL72", "LS ELECTRIC Co., Ltd.", "전력계통영향평가", "a=b", "", " x"):
        assert not is_formula_like(text)
        assert csv_cell(text) == text


def test_bom_and_supplier_csvs_with_hostile_descriptions():
    spec, source = load_spec()
    items = tuple(
        E(f"hall-a/evil-{i}", "cdu", 2500, "kW", 1, system="mechanical", area="hall-a", description=p)
        for i, p in enumerate(PAYLOADS)
    )
    proc = procurement(spec, source, items=items)
    out = {**emit_bom(proc), **emit_suppliers(proc)}
    rows = _read(out["bom.csv"])
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(proc.lines) + 1  # one row per BOM line: no payload split a record
    desc = COLUMNS.index("Description")
    by_id = {r[0]: r for r in rows[1:]}
    for i, p in enumerate(PAYLOADS):
        assert by_id[f"hall-a/evil-{i}"][desc] in (p, "'" + p)
    for name in ("bom.csv", "suppliers.csv"):
        data = out[name]
        assert data.startswith(b"\xef\xbb\xbf")
        body = _read(data)
        assert all(len(r) == len(body[0]) for r in body), name
        for r in body:
            for cell in r:
                assert not _dangerous(cell), (name, cell)
        # no bare LF record terminators: every LF outside a quoted field follows a CR
        text = data.decode("utf-8-sig")
        assert text.endswith("\r\n")
        assert text.replace("\r\n", "").count("\n") == sum(c.count("\n") - c.count("\r\n") for r in body for c in r)


def test_energy_csv_is_crlf_with_plain_numbers():
    from hubc.emit.energy import _csv
    from hubc.energy import run_energy

    spec, source = load_spec()
    res = run_energy(spec, source=source)
    data = _csv(res)
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and len(lines) == 8760 + 2
    assert b"\n" not in data.replace(b"\r\n", b"")
    rows = _read(data)
    assert len(rows) == 8761
    assert all(not c.startswith("'") for r in rows[1:] for c in r)  # figures are never prefixed
