"""How much room a line of text takes on the sheet: advance widths of DejaVu Sans (the drawing's
first font; Arial and Helvetica are narrower, so the estimate is on the safe side) in em, and the
box of a `<text>` element as the SVG writes it (horizontal, or rotated -90 degrees about its
anchor). Layout uses it to size bays; the tests use it to prove that no two labels overlap."""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree import ElementTree as ET

_EM = {
    " ": 0.318, "!": 0.4, "'": 0.275, "(": 0.39, ")": 0.39, "+": 0.838, ",": 0.318, "-": 0.361, ".": 0.318, "/": 0.337,
    ":": 0.337, ";": 0.337, "=": 0.838, "|": 0.337, "~": 0.838, "%": 0.95, "&": 0.78, "*": 0.5, "<": 0.838, ">": 0.838,
    "[": 0.39, "]": 0.39, "_": 0.5, "x": 0.592, "²": 0.401, "×": 0.838, "·": 0.318, "—": 1.0, "–": 0.5, "…": 1.0,
    "≡": 0.838, "→": 0.838, "±": 0.838, "≤": 0.838, "≥": 0.838, "″": 0.45, "Ω": 0.77, "°": 0.5,
    "a": 0.613, "b": 0.635, "c": 0.55, "d": 0.635, "e": 0.615, "f": 0.352, "g": 0.635, "h": 0.634, "i": 0.278,
    "j": 0.278, "k": 0.579, "l": 0.278, "m": 0.974, "n": 0.634, "o": 0.612, "p": 0.635, "q": 0.635, "r": 0.411,
    "s": 0.521, "t": 0.392, "u": 0.634, "v": 0.592, "w": 0.818, "y": 0.592, "z": 0.525,
    "I": 0.295, "J": 0.295, "M": 0.863, "W": 0.989, "L": 0.557, "F": 0.575, "T": 0.611, "Y": 0.611,
}
_DIGIT, _UPPER, _OTHER = 0.636, 0.72, 0.7
ASCENT, DESCENT = 0.76, 0.24  # of the font size, around the baseline
BOLD = 1.1  # bold advance widths relative to book


def char_em(c: str) -> float:
    if c in _EM:
        return _EM[c]
    if c.isdigit():
        return _DIGIT
    if c.isupper():
        return _UPPER
    return _OTHER


def width(s: str, size: float, bold: bool = False) -> float:
    """Advance width of `s` in mm at font size `size` mm."""
    return sum(char_em(c) for c in s) * size * (BOLD if bold else 1.0)


def clip(s: str, room: float, size: float = 2.5) -> str:
    """`s`, cut short with an ellipsis if it is longer than `room` mm at font size `size` (a
    guard: labels are written to fit, so this shows up only for unusually long ids or names)."""
    if width(s, size) <= room:
        return s
    while s and width(s + "…", size) > room:
        s = s[:-1]
    return s + "…"


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def box(x: float, y: float, s: str, size: float, anchor: str = "start", vertical: bool = False, bold: bool = False) -> Box:
    w = width(s, size, bold)
    shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor]
    if not vertical:
        x0 = x - shift * w
        return (x0, y - ASCENT * size, x0 + w, y + DESCENT * size)
    # rotate(-90) about the anchor: reading direction points up, the glyphs' top points left
    y1 = y + shift * w
    return (x - ASCENT * size, y1 - w, x + DESCENT * size, y1)


_ROT = re.compile(r"rotate\(\s*-90[ ,]+([-\d.]+)[ ,]+([-\d.]+)\s*\)")


def svg_text_boxes(root: ET.Element) -> list[tuple[Box, str]]:
    """The box of every label in a parsed SVG (hubc's own: font size as an attribute, rotation only
    as `rotate(-90 x y)` about the anchor). Letters inside symbols (class `sld-sym`) are part of
    their symbol, not labels, and are left out."""
    out = []
    for el in root.iter("{http://www.w3.org/2000/svg}text"):
        s = "".join(el.itertext())
        if not s.strip() or el.get("class") == "sld-sym":
            continue
        x, y = float(el.get("x", 0)), float(el.get("y", 0))
        rot = _ROT.search(el.get("transform", ""))
        b = box(x, y, s, float(el.get("font-size")), el.get("text-anchor", "start"), vertical=rot is not None, bold=el.get("font-weight") == "bold")
        out.append((b, s))
    return out


def overlaps(boxes: Iterable[tuple[Box, str]], tol: float = 0.05) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap by more than `tol` mm both ways (a sweep along x)."""
    items = sorted(boxes, key=lambda t: t[0][0])
    out: list[tuple[str, str]] = []
    active: list[tuple[Box, str]] = []
    for b, s in items:
        active = [(a, t) for a, t in active if a[2] > b[0] + tol]
        for a, t in active:
            if min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol:
                out.append((t, s))
        active.append((b, s))
    return out
