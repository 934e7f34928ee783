"""IEC 60617 symbols in millimetres, drawn for a vertical conductor through (x, y).

Each function returns SVG text. Switching devices are drawn in their normal state (IEC 61082-1:
contacts shown in the normal position): a normally open device with its blade open, a normally
closed one with its blade on the fixed contact. The fixed-contact mark says the kind: a cross for a
circuit breaker (IEC 60617 S00288), a bar for a disconnector (S00287), a circle for a load-break
switch (S00289). Terminals of every switching device are at y - 5 and y + 5.
"""

from __future__ import annotations

from hubc.emit.sld.svg import T_LABEL, T_SMALL, circle, line, n, polyline, rect, text

SYM = ' class="sld-sym"'  # a letter inside a symbol (not a label: the overlap check leaves it out)

SW_HALF = 5.0  # a switching device spans y - 5 .. y + 5
TX_HALF = 7.0  # a two-winding transformer spans y - 7 .. y + 7
TX3_HALF = 7.5


def switch(x: float, y: float, kind: str = "CB", closed: bool = True) -> str:
    """A switching device (`kind` "CB" | "LBS" | "DS") in its normal state."""
    fx, fy = x, y - 2.5  # fixed contact
    px, py = x, y + 2.5  # blade pivot
    tip = (fx, fy) if closed else (x - 2.9, y - 1.6)
    out = line(x, y - SW_HALF, fx, fy) + line(px, py, x, y + SW_HALF) + line(px, py, *tip)
    if kind == "CB":
        out += line(fx - 1.0, fy - 1.0, fx + 1.0, fy + 1.0) + line(fx - 1.0, fy + 1.0, fx + 1.0, fy - 1.0)
    elif kind == "DS":
        out += line(fx - 1.3, fy, fx + 1.3, fy)
    else:  # load-break switch
        out += circle(fx, fy - 0.7, 0.7, "sld-w")
    return out


def switch_h(x: float, y: float, kind: str = "CB", closed: bool = True) -> str:
    """The same device on a horizontal conductor (terminals x - 5 and x + 5)."""
    return f'<g transform="rotate(-90 {n(x)} {n(y)})">{switch(x, y, kind, closed)}</g>'


def transformer(x: float, y: float) -> str:
    """Two-winding transformer (IEC 60617 S00841): two interlinked circles; terminals y -/+ 7."""
    return line(x, y - TX_HALF, x, y - 5.7) + circle(x, y - 2.2, 3.5, "sld-w") + circle(x, y + 2.2, 3.5, "sld-w") + line(x, y + 5.7, x, y + TX_HALF)


def transformer3(x: float, y: float) -> tuple[str, tuple[float, float], tuple[float, float], tuple[float, float]]:
    """Transformer with a split secondary (three-winding symbol, IEC 60617 S00844). Returns the
    body, the HV terminal and the two LV terminals (left, right)."""
    hv = (x, y - TX3_HALF)
    lv_l, lv_r = (x - 2.0, y + TX3_HALF), (x + 2.0, y + TX3_HALF)
    body = (
        line(x, hv[1], x, y - 5.7)
        + circle(x, y - 2.2, 3.5, "sld-w")
        + circle(x - 2.0, y + 1.3, 3.5, "sld-w")
        + circle(x + 2.0, y + 1.3, 3.5, "sld-w")
        + line(x - 2.0, y + 4.8, *lv_l)
        + line(x + 2.0, y + 4.8, *lv_r)
    )
    return body, hv, lv_l, lv_r


def generator(x: float, y: float) -> str:
    """Synchronous generator (IEC 60617 S00819): circle with G and a sine; terminal y - 4."""
    return circle(x, y, 4.0) + text(x, y + 0.6, "G", T_LABEL, "middle", bold=True, extra=SYM) + text(x, y + 3.2, "~", T_SMALL, "middle", extra=SYM)


def converter(x: float, y: float, top: str = "=", bottom: str = "~") -> str:
    """Converter (IEC 60617 S00213): square with a diagonal, input and output kinds in its corners;
    terminals y - 4 and y + 4."""
    return rect(x - 4, y - 4, 8, 8) + line(x - 4, y + 4, x + 4, y - 4) + text(x - 1.9, y - 0.9, top, T_SMALL, "middle", extra=SYM) + text(x + 1.9, y + 3.3, bottom, T_SMALL, "middle", extra=SYM)


def battery(x: float, y: float) -> str:
    """Battery (IEC 60617 S00110): long and short plates; terminals y - 3 and y + 3."""
    return (
        line(x, y - 3, x, y - 1.2)
        + line(x - 2.8, y - 1.2, x + 2.8, y - 1.2)
        + line(x - 1.5, y, x + 1.5, y, "sld-bus")
        + line(x - 2.8, y + 1.2, x + 2.8, y + 1.2)
        + line(x, y + 1.2, x, y + 3)
    )


def pv(x: float, y: float, up: bool = False) -> str:
    """Photovoltaic generator (IEC 60617 S01356 style): a cell in a box with incident light on the
    side away from its terminal (terminal y - 3.5; y + 3.5 when `up`, the light then from above)."""
    box = rect(x - 4, y - 3.5, 8, 7) + line(x - 2.2, y - 0.6, x + 2.2, y - 0.6) + line(x - 1.1, y + 0.8, x + 1.1, y + 0.8, "sld-bus")
    if up:
        rays = "".join(line(x + dx, y - 8.5, x + dx, y - 4.3) + polyline([(x + dx - 0.8, y - 5.1), (x + dx, y - 4.3), (x + dx + 0.8, y - 5.1)]) for dx in (-1.6, 1.6))
        return box + rays
    return (
        box
        + line(x + 5.5, y + 5.5, x + 3.3, y + 3.3)
        + line(x + 7.0, y + 4.0, x + 4.8, y + 1.8)
        + polyline([(x + 3.3, y + 4.4), (x + 3.3, y + 3.3), (x + 4.4, y + 3.3)])
        + polyline([(x + 4.8, y + 2.9), (x + 4.8, y + 1.8), (x + 5.9, y + 1.8)])
    )


def wind(x: float, y: float, up: bool = False) -> str:
    """Wind turbine generator: a generator circle with a three-blade rotor on the side away from
    its terminal (below; above when `up`, the terminal then at y + 3.5)."""
    d = -1 if up else 1
    hub = (x, y + 6.5 * d)
    return (
        circle(x, y, 3.5)
        + text(x, y + 1.1, "G", T_SMALL, "middle", bold=True, extra=SYM)
        + line(x, y + 3.5 * d, *hub)
        + line(*hub, x, y + 10.5 * d)
        + line(*hub, x - 3.5, y + 4.5 * d)
        + line(*hub, x + 3.5, y + 4.5 * d)
    )


def utility(x: float, y: float) -> str:
    """Network infeed (IEC 60617 S00802 style): a hatched box; terminal at the bottom, y + 3.5."""
    hatch = "".join(line(x - 7 + 3.5 * i, y + 3.5, x - 7 + 3.5 * i + 3.5, y - 3.5, "sld-thin") for i in range(4))
    return rect(x - 7, y - 3.5, 14, 7) + hatch


def load(x: float, y: float) -> str:
    """A load: an arrow head pointing away from the bus; terminal y."""
    return line(x, y, x, y + 2.5) + f'<path class="sld-f" d="M{n(x - 1.4)},{n(y + 2.5)} L{n(x + 1.4)},{n(y + 2.5)} L{n(x)},{n(y + 5)} Z"/>'


def motor(x: float, y: float) -> str:
    """Motor (IEC 60617 S00819 with M); terminal y - 3."""
    return circle(x, y, 3.0) + text(x, y + 1.0, "M", T_SMALL, "middle", bold=True, extra=SYM)


def capacitor(x: float, y: float) -> str:
    """Capacitor (IEC 60617 S00567): two plates across the conductor, then earth; terminal y."""
    return (
        line(x, y, x, y + 3)
        + line(x - 3, y + 3, x + 3, y + 3)
        + line(x - 3, y + 4.6, x + 3, y + 4.6)
        + line(x, y + 4.6, x, y + 7.5)
        + line(x - 2.2, y + 7.5, x + 2.2, y + 7.5)
        + line(x - 1.3, y + 8.3, x + 1.3, y + 8.3)
        + line(x - 0.5, y + 9.1, x + 0.5, y + 9.1)
    )


def node(x: float, y: float) -> str:
    """A connection point (a bus without a busbar: a terminal)."""
    return circle(x, y, 0.6, "sld-f")


def offsheet(x: float, y: float, label: str, *, down: bool = True) -> str:
    """Off-sheet connector: a flag pointing along the conductor, with where it continues."""
    d = 1 if down else -1
    pts = [(x - 2, y), (x + 2, y), (x + 2, y + 3 * d), (x, y + 5 * d), (x - 2, y + 3 * d), (x - 2, y)]
    return polyline(pts, "sld-w") + (text(x + 3, y + (3.5 if down else -1.5), label, T_SMALL) if label else "")
