"""SVG primitives in millimetres: the drawing's user unit is 1 mm on the printed sheet.

Text carries its size as an attribute (`font-size` in mm) so that a reader of the file - the
structural tests, a CAD import - knows how big it prints without a style sheet; strokes use a few
`sld-` classes (prefixed so that the report page, which inlines several SVGs, keeps them apart).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

# text sizes (mm on the sheet): ISO 3098 lettering, never below 2.5 mm
T_SMALL = 2.5
T_LABEL = 3.0
T_HEAD = 3.5
T_TITLE = 5.0
T_SHEET = 7.0

STYLE = (
    "<style>"
    ".sld-w{stroke:#000;stroke-width:.35;fill:none;stroke-linecap:round}"
    ".sld-thin{stroke:#000;stroke-width:.18;fill:none}"
    ".sld-s{stroke:#000;stroke-width:.35;fill:#fff}"
    ".sld-f{stroke:#000;stroke-width:.25;fill:#000}"
    ".sld-bus{stroke:#000;stroke-width:1.4;stroke-linecap:butt;fill:none}"
    ".sld-jump{stroke:#fff;stroke-width:1.6;fill:none}"
    ".sld-cable{stroke:#000;stroke-width:.35;stroke-dasharray:2 1;fill:none}"
    ".sld-a{stroke:#c62828;stroke-width:.5;fill:none}"
    ".sld-b{stroke:#1565c0;stroke-width:.5;fill:none}"
    ".sld-typ{stroke:#555;stroke-width:.25;stroke-dasharray:3 1.5;fill:none}"
    ".sld-frame{stroke:#000;stroke-width:.7;fill:none}"
    ".sld-box{stroke:#000;stroke-width:.35;fill:#fff}"
    ".sld-band{stroke:none}"
    "text{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;fill:#000}"
    "</style>"
)


def n(v: float) -> str:
    """A coordinate: at most 2 decimals (0.01 mm), no trailing zeros, never '-0'."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def line(x1: float, y1: float, x2: float, y2: float, cls: str = "sld-w") -> str:
    return f'<line class="{cls}" x1="{n(x1)}" y1="{n(y1)}" x2="{n(x2)}" y2="{n(y2)}"/>'


def polyline(points: list[tuple[float, float]], cls: str = "sld-w") -> str:
    pts = " ".join(f"{n(x)},{n(y)}" for x, y in points)
    return f'<polyline class="{cls}" points="{pts}"/>'


def circle(x: float, y: float, r: float, cls: str = "sld-s") -> str:
    return f'<circle class="{cls}" cx="{n(x)}" cy="{n(y)}" r="{n(r)}"/>'


def rect(x: float, y: float, w: float, h: float, cls: str = "sld-s", extra: str = "") -> str:
    return f'<rect class="{cls}" x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}"{extra}/>'


def text(x: float, y: float, s: str, size: float = T_SMALL, anchor: str = "start", *, vertical: bool = False, bold: bool = False, extra: str = "") -> str:
    """One line of text; `vertical` reads bottom to top (rotated -90 degrees about its anchor)."""
    rot = f' transform="rotate(-90 {n(x)} {n(y)})"' if vertical else ""
    weight = ' font-weight="bold"' if bold else ""
    anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{n(x)}" y="{n(y)}" font-size="{n(size)}"{anchor_attr}{weight}{rot}{extra}>{escape(s)}</text>'


def group(eid: str, body: str, cls: str = "", **data: str) -> str:
    """An element drawn for a network element: its id is the network id (escaped)."""
    attrs = f" id={quoteattr(eid)}"
    if cls:
        attrs += f" class={quoteattr(cls)}"
    for k, v in sorted(data.items()):
        attrs += f" data-{k.replace('_', '-')}={quoteattr(v)}"
    return f"<g{attrs}>{body}</g>"


def tagged(cls: str, body: str, **data: str) -> str:
    """A drawn thing that is not a network element (no id): its class and what it refers to."""
    attrs = "".join(f" data-{k.replace('_', '-')}={quoteattr(v)}" for k, v in sorted(data.items()))
    return f"<g class={quoteattr(cls)}{attrs}>{body}</g>"


def member(eid: str, typical: str) -> str:
    """A network element drawn by a typical ("typical x N"): an empty element with its own id that
    names the drawn one, so every network id is found in the drawing."""
    return f"<g id={quoteattr(eid)} class=\"member\" data-typical={quoteattr(typical)}/>"
