"""Energy outputs: `energy.csv` (8760 hourly rows) and `energy.svg` (a typical summer week, a
typical winter week, and the monthly balance).

In: an `EnergyResult` and the spec. Out: {relative path: bytes}. The SVG is written by hand
(no plotting library): fixed number formats and no timestamps, so the same design gives the
same bytes. "Typical" week: of the weeks starting in June-August (December-February), the one
whose renewable energy is closest to the season's weekly mean.
"""

from __future__ import annotations

from html import escape

from hubc.emit.fonts import SVG_FONT_STACK
from hubc.emit.safe import Numeral, csv_bytes
from hubc.energy import EnergyResult
from hubc.spec.model import Spec

COLOURS = {
    "direct": "#f2b705",  # renewables straight to the load
    "bess": "#2a9d8f",  # BESS discharge
    "grid": "#8d99ae",  # grid import
    "charge": "#94d2bd",  # BESS charging (from renewables or the grid)
    "curtail": "#e76f51",
    "load": "#1d3557",
    "re": "#e9c46a",
    "soc": "#6a4c93",
}


def emit_energy(result: EnergyResult, spec: Spec) -> dict[str, bytes]:
    return {"energy.csv": _csv(result), "energy.svg": _svg(result, spec)}


# ------------------------------------------------------------------------------------ CSV


def _csv(res: EnergyResult) -> bytes:
    from hubc.energy.profiles import MONTH_DAYS

    plants = [p.id for p in res.plants]
    head = ["hour", "month", "day", "hour_of_day", "load_mw", *[f"{p}_mw" for p in plants]]
    head += ["renewable_mw", "direct_mw", "bess_charge_mw", "bess_grid_charge_mw", "bess_discharge_mw"]
    head += ["soc_mwh", "grid_mw", "curtail_mw", "cfe_mw"]
    rows = []
    month_of_day = []
    for m, n in enumerate(MONTH_DAYS, start=1):
        month_of_day += [(m, d) for d in range(1, n + 1)]
    re = res.renewable_mw
    cols = [p.output_mw for p in res.plants]
    for t in range(len(res.load_mw)):
        m, d = month_of_day[t // 24]
        row = [t, m, d, t % 24, _f(res.load_mw[t])]
        row += [_f(c[t]) for c in cols]
        row += [
            _f(re[t]),
            _f(res.direct_mw[t]),
            _f(res.charge_re_mw[t]),
            _f(res.charge_grid_mw[t]),
            _f(res.discharge_mw[t]),
            _f(res.soc_mwh[t]),
            _f(res.grid_mw[t]),
            _f(res.curtail_mw[t]),
            _f(res.cfe_mw[t]),
        ]
        rows.append(row)
    return csv_bytes(head, rows)


def _f(x: float) -> Numeral:
    s = f"{float(x):.3f}"
    return Numeral("0.000" if s == "-0.000" else s)


# ------------------------------------------------------------------------------------ SVG

W, H = 1000, 1060
PAD_L, PAD_R = 70, 30


def _typical_week(res: EnergyResult, months: tuple[int, ...]) -> int:
    """First hour of the week starting in `months` whose renewable energy is closest to the
    seasonal weekly mean (ties: the earliest)."""
    from hubc.energy.profiles import month_of_hour

    mh = month_of_hour()
    re = res.renewable_mw
    starts = [d * 24 for d in range(365 - 7) if mh[d * 24] in months]
    sums = [float(re[s : s + 168].sum()) for s in starts]
    mean = sum(sums) / len(sums)
    best = min(range(len(starts)), key=lambda i: (abs(sums[i] - mean), i))
    return starts[best]


def _svg(res: EnergyResult, spec: Spec) -> bytes:
    out: list[str] = []
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        f'font-family="{SVG_FONT_STACK}" font-size="12">'
    )
    out.append(f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>')
    title = f"{escape(spec.campus.name)} — energy year ({escape(res.basis.split(':')[0])})"
    out.append(f'<text x="{PAD_L}" y="28" font-size="18" font-weight="bold">{title}</text>')
    bess = res.bess
    summary = (
        f"load {res.load_annual_mwh / 1000:,.0f} GWh · RE share {res.re_share:.1%} · hourly CFE "
        f"{res.cfe_score:.1%} (target {res.cfe_target:.0%}) · curtailed {res.curtailment_mwh / 1000:,.0f} GWh · "
        f"grid peak {res.grid_import_peak_mw:,.1f} / {res.contract_mw:g} MW"
    )
    out.append(f'<text x="{PAD_L}" y="48" fill="#333">{escape(summary)}</text>')
    if bess is not None:
        bl = (
            f"BESS {bess.containers} × {escape(bess.container_name)} = {bess.installed_energy_mwh:,.1f} MWh / "
            f"{bess.installed_power_mw:,.1f} MW (LP {bess.lp_energy_mwh:,.1f} MWh, {bess.lp_power_mw:,.1f} MW) · "
            f"{res.bess_equivalent_full_cycles:.0f} cycles/yr · scope 2 {res.scope2_location_tco2:,.0f} tCO2"
        )
        out.append(f'<text x="{PAD_L}" y="66" fill="#333">{bl}</text>')
    _legend(out, 86)
    summer = _typical_week(res, (6, 7, 8))
    winter = _typical_week(res, (12, 1, 2))
    _week(out, res, summer, "Typical summer week", 110, 280)
    _week(out, res, winter, "Typical winter week", 440, 280)
    _months(out, res, 770, 250)
    out.append("</svg>")
    return ("\n".join(out) + "\n").encode()


def _legend(out: list[str], y: int) -> None:
    x = PAD_L
    for key, label in (
        ("direct", "renewables to load"),
        ("bess", "BESS discharge"),
        ("grid", "grid import"),
        ("charge", "BESS charging"),
        ("curtail", "curtailed"),
    ):
        out.append(f'<rect x="{x}" y="{y - 10}" width="14" height="10" fill="{COLOURS[key]}"/>')
        out.append(f'<text x="{x + 19}" y="{y}">{label}</text>')
        x += 40 + 7 * len(label)
    out.append(f'<line x1="{x}" y1="{y - 5}" x2="{x + 18}" y2="{y - 5}" stroke="{COLOURS["load"]}" stroke-width="2"/>')
    out.append(f'<text x="{x + 23}" y="{y}">load</text>')
    x += 70
    out.append(
        f'<line x1="{x}" y1="{y - 5}" x2="{x + 18}" y2="{y - 5}" stroke="{COLOURS["soc"]}" stroke-width="1.5" stroke-dasharray="4 2"/>'
    )
    out.append(f'<text x="{x + 23}" y="{y}">BESS SoC (right axis)</text>')


def _nice(v: float) -> float:
    import math

    if v <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * e >= v:
            return m * e
    return 10 * e


def _week(out: list[str], res: EnergyResult, start: int, title: str, top: int, height: int) -> None:
    from hubc.energy.profiles import MONTH_DAYS

    hours = range(start, start + 168)
    plot_w = W - PAD_L - PAD_R - 50
    y0 = top + 24
    ph = height - 50
    direct = [float(res.direct_mw[t]) for t in hours]
    dis = [float(res.discharge_mw[t]) for t in hours]
    grid = [float(res.grid_mw[t]) for t in hours]
    curt = [float(res.curtail_mw[t]) for t in hours]
    chg = [float(res.charge_re_mw[t] + res.charge_grid_mw[t]) for t in hours]
    load = [float(res.load_mw[t]) for t in hours]
    soc = [float(res.soc_mwh[t]) for t in hours]
    top_v = _nice(max(max(map(sum, zip(direct, dis, grid, chg, curt, strict=True))), max(load), 1e-6) * 1.05)
    soc_max = _nice(max(max(soc), 1e-6))
    day = start // 24
    m = 0
    while day >= MONTH_DAYS[m]:
        day -= MONTH_DAYS[m]
        m += 1
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    out.append(
        f'<text x="{PAD_L}" y="{top + 14}" font-size="14" font-weight="bold">{title} (from {day + 1} {months[m]})</text>'
    )

    def X(i: float) -> float:
        return PAD_L + plot_w * i / 168

    def Y(v: float) -> float:
        return y0 + ph - ph * v / top_v

    def Ys(v: float) -> float:
        return y0 + ph - ph * v / soc_max

    # Axes and grid.
    for k in range(6):
        v = top_v * k / 5
        y = Y(v)
        out.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{PAD_L + plot_w}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
        out.append(
            f'<text x="{PAD_L + plot_w + 6}" y="{Ys(soc_max * k / 5) + 4:.1f}" fill="{COLOURS["soc"]}">{soc_max * k / 5:,.0f}</text>'
        )
    for dd in range(8):
        x = X(dd * 24)
        out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + ph}" stroke="#cccccc"/>')
        if dd < 7:
            out.append(f'<text x="{X(dd * 24 + 12):.1f}" y="{y0 + ph + 16}" text-anchor="middle">day {dd + 1}</text>')
    out.append(
        f'<text x="16" y="{y0 + ph / 2:.0f}" transform="rotate(-90 16 {y0 + ph / 2:.0f})" text-anchor="middle">MW</text>'
    )
    out.append(
        f'<text x="{W - 12}" y="{y0 + ph / 2:.0f}" transform="rotate(90 {W - 12} {y0 + ph / 2:.0f})" '
        f'text-anchor="middle" fill="{COLOURS["soc"]}">MWh</text>'
    )
    # Stacked areas as step shapes (each hour is a constant block).
    base = [0.0] * 168
    for key, series in (("direct", direct), ("bess", dis), ("grid", grid), ("charge", chg), ("curtail", curt)):
        upper = [b + s for b, s in zip(base, series, strict=True)]
        pts = []
        for i in range(168):
            pts.append(f"{X(i):.1f},{Y(upper[i]):.1f}")
            pts.append(f"{X(i + 1):.1f},{Y(upper[i]):.1f}")
        for i in range(167, -1, -1):
            pts.append(f"{X(i + 1):.1f},{Y(base[i]):.1f}")
            pts.append(f"{X(i):.1f},{Y(base[i]):.1f}")
        out.append(f'<polygon points="{" ".join(pts)}" fill="{COLOURS[key]}" fill-opacity="0.85" stroke="none"/>')
        base = upper
    lpts = []
    for i in range(168):
        lpts.append(f"{X(i):.1f},{Y(load[i]):.1f}")
        lpts.append(f"{X(i + 1):.1f},{Y(load[i]):.1f}")
    out.append(f'<polyline points="{" ".join(lpts)}" fill="none" stroke="{COLOURS["load"]}" stroke-width="2"/>')
    spts = [f"{X(i + 1):.1f},{Ys(soc[i]):.1f}" for i in range(168)]
    out.append(
        f'<polyline points="{" ".join(spts)}" fill="none" stroke="{COLOURS["soc"]}" stroke-width="1.5" stroke-dasharray="4 2"/>'
    )
    out.append(f'<rect x="{PAD_L}" y="{y0}" width="{plot_w}" height="{ph}" fill="none" stroke="#333"/>')


def _months(out: list[str], res: EnergyResult, top: int, height: int) -> None:
    from hubc.energy.profiles import month_of_hour

    mh = month_of_hour()
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    rows = []
    for m in range(1, 13):
        sel = mh == m
        rows.append(
            (
                float(res.direct_mw[sel].sum()) / 1000,
                float(res.discharge_mw[sel].sum()) / 1000,
                float(res.grid_mw[sel].sum()) / 1000,
                float(res.charge_re_mw[sel].sum() + res.charge_grid_mw[sel].sum()) / 1000,
                float(res.curtail_mw[sel].sum()) / 1000,
                float(res.load_mw[sel].sum()) / 1000,
            )
        )
    plot_w = W - PAD_L - PAD_R - 50
    y0 = top + 24
    ph = height - 50
    top_v = _nice(max(max(sum(row[:5]) for row in rows), 1e-6) * 1.05)
    out.append(f'<text x="{PAD_L}" y="{top + 14}" font-size="14" font-weight="bold">Monthly balance (GWh)</text>')

    def Y(v: float) -> float:
        return y0 + ph - ph * v / top_v

    for k in range(6):
        v = top_v * k / 5
        out.append(f'<line x1="{PAD_L}" y1="{Y(v):.1f}" x2="{PAD_L + plot_w}" y2="{Y(v):.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{PAD_L - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    slot = plot_w / 12
    bar = slot * 0.6
    for i, (d, b, g, ch, c, ld) in enumerate(rows):
        x = PAD_L + slot * i + (slot - bar) / 2
        acc = 0.0
        for key, v in (("direct", d), ("bess", b), ("grid", g), ("charge", ch), ("curtail", c)):
            if v > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{Y(acc + v):.1f}" width="{bar:.1f}" height="{Y(acc) - Y(acc + v):.1f}" fill="{COLOURS[key]}"/>'
                )
            acc += v
        out.append(
            f'<line x1="{x - 3:.1f}" y1="{Y(ld):.1f}" x2="{x + bar + 3:.1f}" y2="{Y(ld):.1f}" stroke="{COLOURS["load"]}" stroke-width="2"/>'
        )
        out.append(f'<text x="{x + bar / 2:.1f}" y="{y0 + ph + 16}" text-anchor="middle">{names[i]}</text>')
    out.append(f'<rect x="{PAD_L}" y="{y0}" width="{plot_w}" height="{ph}" fill="none" stroke="#333"/>')
