"""OUT/index.html: one self-contained page per sweep for people who compare portfolios.

A Pareto chart (SVG) of capex per MW of IT against hourly carbon-free energy, each variant a dot
coloured by its domestic share and linked to its report, the front drawn through the variants no
other beats on both; then every variant in a table sortable by any column (a few lines of inline
JS that only reorder rows). Every string that came from a sweep file, a spec or a diagnostic is
HTML-escaped; nothing is inserted as markup at run time. The page is a function of the results
table only, so it is byte-identical whatever the number of workers.
"""

from __future__ import annotations

import html
import itertools
import math
from typing import Any

from hubc import __version__
from hubc.sweep.model import Sweep
from hubc.sweep.results import Table

W, H = 760, 440  # chart size (px)
ML, MR, MT, MB = 78, 150, 20, 52  # margins: left axis, right legend, top, bottom axis

# Viridis at five stops (matplotlib's perceptually uniform map): low share dark, high share light.
_RAMP = ((0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)), (0.75, (94, 201, 98)), (1.0, (253, 231, 37)))


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def colour(t: float) -> str:
    t = min(1.0, max(0.0, t))
    for (t0, c0), (t1, c1) in itertools.pairwise(_RAMP):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            r, g, b = (round(a + (b_ - a) * f) for a, b_ in zip(c0, c1, strict=True))
            return f"#{r:02x}{g:02x}{b:02x}"
    return "#fde725"


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 5 x 10^k steps)."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0) * 0.1
    pad = (hi - lo) * 0.04  # keep dots off the frame
    lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    return [round(first + k * step, 12) for k in range(math.ceil((hi - first) / step) + 1)]


def _num(v: float) -> str:
    return f"{v:.6g}"


def chart(table: Table) -> str:
    col = table.columns.index
    xs, ys, ds, st = col("capex_krw_per_mw"), col("cfe_hourly"), col("domestic_share"), col("status")
    pts = [(r, link) for r, link in zip(table.rows, table.links, strict=True)
           if r[st] == "ok" and r[xs] is not None and r[ys] is not None]
    if not pts:
        return '<p class="note">No variant built with capex and CFE figures, so there is nothing to chart yet.</p>'
    x_vals = [r[xs] / 1e9 for r, _ in pts]  # bn KRW per MW of IT
    y_vals = [r[ys] * 100 for r, _ in pts]  # %
    xt, yt = _ticks(min(x_vals), max(x_vals)), _ticks(min(y_vals), max(y_vals))
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]
    pw, ph = W - ML - MR, H - MT - MB

    def px(x: float) -> float:
        return ML + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return MT + ph - (y - y0) / (y1 - y0) * ph

    shares = [r[ds] for r, _ in pts if r[ds] is not None]
    s0, s1 = (min(shares), max(shares)) if shares else (0.0, 1.0)
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
            'aria-label="capex per MW of IT against hourly CFE">')]
    out.append(f'<rect x="{ML}" y="{MT}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#999"/>')
    for t in xt:
        out.append(f'<line x1="{px(t):.1f}" y1="{MT + ph}" x2="{px(t):.1f}" y2="{MT + ph + 5}" stroke="#666"/>'
                   f'<text x="{px(t):.1f}" y="{MT + ph + 18}" text-anchor="middle">{_num(t)}</text>')
    for t in yt:
        out.append(f'<line x1="{ML - 5}" y1="{py(t):.1f}" x2="{ML}" y2="{py(t):.1f}" stroke="#666"/>'
                   f'<line x1="{ML}" y1="{py(t):.1f}" x2="{ML + pw}" y2="{py(t):.1f}" stroke="#e4e4e4"/>'
                   f'<text x="{ML - 8}" y="{py(t) + 4:.1f}" text-anchor="end">{_num(t)}</text>')
    out.append(f'<text x="{ML + pw / 2:.1f}" y="{H - 10}" text-anchor="middle">capex per MW of IT (bn KRW / MW)</text>')
    out.append(f'<text transform="translate(18 {MT + ph / 2:.1f}) rotate(-90)" text-anchor="middle">'
               "hourly carbon-free energy (%)</text>")
    front = sorted((x, y) for (r, _), x, y in zip(pts, x_vals, y_vals, strict=True) if r[col("pareto")])
    if len(front) > 1:
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in front)
        out.append(f'<polyline points="{path}" fill="none" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5 3"/>')
    inputs = [c for c in table.columns[2:col("status")]]
    for (r, link), x, y in zip(pts, x_vals, y_vals, strict=True):
        share = r[ds]
        fill = colour((share - s0) / (s1 - s0) if share is not None and s1 > s0 else 0.5)
        tip = [f"variant {r[0]}"] + [f"{c} = {r[col(c)]}" for c in inputs]
        tip += [f"capex {x:.3f} bn KRW/MW", f"CFE {y:.1f} %",
                f"domestic share {share * 100:.1f} %" if share is not None else "domestic share n/a"]
        ring = ' stroke="#d62728" stroke-width="2"' if r[col("pareto")] else ' stroke="#333" stroke-width="0.6"'
        out.append(f'<a href="{esc(link)}/out/report.html"><circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="6" '
                   f'fill="{fill}"{ring}><title>{esc(chr(10).join(tip))}</title></circle></a>')
    # Legend: the colour ramp of the domestic share, and the front's line.
    lx, ly, lh = W - MR + 24, MT + 10, 160
    out.append('<defs><linearGradient id="ramp" x1="0" y1="1" x2="0" y2="0">'
               + "".join(f'<stop offset="{t:g}" stop-color="{colour(t)}"/>' for t, _ in _RAMP)
               + "</linearGradient></defs>")
    out.append(f'<text x="{lx}" y="{ly - 2}">domestic share</text>')
    out.append(f'<rect x="{lx}" y="{ly + 6}" width="16" height="{lh}" fill="url(#ramp)" stroke="#999"/>')
    out.append(f'<text x="{lx + 22}" y="{ly + 14}">{s1 * 100:.1f} %</text>')
    out.append(f'<text x="{lx + 22}" y="{ly + lh + 6}">{s0 * 100:.1f} %</text>')
    out.append(f'<line x1="{lx}" y1="{ly + lh + 34}" x2="{lx + 24}" y2="{ly + lh + 34}" stroke="#d62728" '
               'stroke-width="1.5" stroke-dasharray="5 3"/>'
               f'<text x="{lx + 30}" y="{ly + lh + 38}">Pareto front</text>')
    out.append("</svg>")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return '<td data-v=""></td>'
    if isinstance(value, bool):
        return f'<td data-v="{int(value)}">{"yes" if value else ""}</td>'
    if isinstance(value, int):
        return f'<td class="n" data-v="{value}">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="n" data-v="{value!r}">{value:,.6g}</td>'
    return f'<td data-v="{esc(value)}">{esc(value)}</td>'


def table_html(table: Table) -> str:
    head = "".join(f'<th><button type="button">{esc(c)}</button></th>' for c in table.columns)
    body = []
    for row, link in zip(table.rows, table.links, strict=True):
        cells = [f'<td class="n" data-v="{row[0]}"><a href="{esc(link)}/">{row[0]}</a></td>']
        cells += [_cell(v) for v in row[1:]]
        body.append(f'<tr class="{esc(row[table.columns.index("status")])}">' + "".join(cells) + "</tr>")
    return f'<table id="results"><thead><tr>{head}</tr></thead><tbody>\n' + "\n".join(body) + "\n</tbody></table>"


# Sorting moves existing rows; values are read from data-v attributes, never parsed as markup.
_SCRIPT = """
document.querySelectorAll('#results th button').forEach(function (button, col) {
  button.addEventListener('click', function () {
    var body = document.querySelector('#results tbody');
    var rows = Array.prototype.slice.call(body.rows);
    var up = button.getAttribute('data-sort') !== 'up';
    document.querySelectorAll('#results th button').forEach(function (b) { b.removeAttribute('data-sort'); });
    button.setAttribute('data-sort', up ? 'up' : 'down');
    function key(row) { return row.cells[col].getAttribute('data-v'); }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === '' || y === '') { return (x === '') - (y === ''); }
      var nx = Number(x), ny = Number(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return up ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } p.meta { color: #555; margin: 0 0 16px; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
table { border-collapse: collapse; font-size: 12px; margin-top: 16px; }
th, td { border: 1px solid #ddd; padding: 3px 6px; white-space: nowrap; }
th button { font: inherit; font-weight: 600; border: 0; background: none; cursor: pointer; padding: 0; }
th button[data-sort=up]::after { content: " \\25B2"; } th button[data-sort=down]::after { content: " \\25BC"; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.error td, tr.crashed td { background: #fdecea; } tr.infeasible td, tr.timeout td { background: #fff4e5; }
tr.pending td { color: #999; } p.note { color: #555; }
"""


def page(sweep: Sweep, table: Table) -> bytes:
    statuses: dict[str, int] = {}
    for s in table.column("status"):
        statuses[s] = statuses.get(s, 0) + 1
    counts = ", ".join(f"{n} {esc(s)}" for s, n in sorted(statuses.items()))
    axes = "; ".join(f"{esc(a.name)} ({len(a)})" for a in sweep.axes)
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hubc sweep: {esc(sweep.name)}</title>
<style>{_STYLE}</style></head>
<body>
<h1>hubc sweep: {esc(sweep.name)}</h1>
<p class="meta">base spec {esc(sweep.base_name)}; {len(sweep.variants)} variants ({esc(sweep.combine)} of {axes}): {counts}.
hubc {esc(__version__)}. Each variant's folder holds its spec, diagnostics and build (<code>out/report.html</code>).</p>
<h2>Capex per MW against hourly CFE</h2>
{chart(table)}
<h2>Variants</h2>
<p class="note">Click a column to sort. Results also in results.parquet and results.csv.</p>
{table_html(table)}
<script>{_SCRIPT}</script>
</body></html>
"""
    return doc.encode("utf-8")
