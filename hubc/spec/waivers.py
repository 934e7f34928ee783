"""Waivers (`[[waive]]`): accepted findings, applied to every diagnostic whatever emits it.

A waiver matches a diagnostic with its code whose key path equals the target or lies under it
(`hall[0]` covers `hall[0].row_busway_kw`); `*` matches every location. Findings come from two
places: the checks (`hubc check`) and the build stages (the energy stage's interconnect, the
electrical and cooling stages, the rack layout, the BOM). A `WaiverBook` holds which live waivers
matched something; it filters the checks' diagnostics and then each stage's, and a waiver of a
code only a build stage emits is judged unused (HUB802) only after the build, not by
`hubc check`, which cannot see those findings.
"""

from __future__ import annotations

import datetime

import attrs

from hubc.codes import diag, registry
from hubc.diagnostics import Diagnostic

# Code families (hubc/codedocs/<domain>.toml) whose findings only a build stage emits.
BUILD_DOMAINS = frozenset({"energy_stage", "layout", "electrical", "cooling"})
# Codes of other families that a build stage emits (the BOM's pricing and supply findings).
BUILD_CODES = frozenset({"HUB620", "HUB621", "HUB622", "HUB623"})


def found_by_build(code: str) -> bool:
    """Whether a finding with this code comes from a build stage rather than the checks."""
    entry = registry().get(code.upper())
    return entry is not None and (entry.domain in BUILD_DOMAINS or entry.code in BUILD_CODES)


def _under(key_path: str, target: str) -> bool:
    return key_path == target or key_path.startswith((target + ".", target + "["))


@attrs.define
class WaiverBook:
    """The spec's live waivers and which of them matched a finding so far."""

    spec: object
    source: object
    today: datetime.date
    live: list[int] = attrs.field(factory=list)
    used: set[int] = attrs.field(factory=set)
    waived: int = 0

    def expired(self) -> list[Diagnostic]:
        """Sort the waivers into live and expired; HUB801 for each expired one."""
        out = []
        self.live = []
        for i, w in enumerate(self.spec.waive):
            path = ("waive", i)
            if w.expires is not None and w.expires < self.today:
                out.append(
                    diag(
                        "HUB801",
                        f"waiver of {w.code} expired on {w.expires.isoformat()} ({w.reason})",
                        self.source.at_value(path + ("expires",)),
                        path + ("expires",),
                        help="re-assess the finding: fix it, or extend the waiver with a new date and reason",
                    )
                )
            else:
                self.live.append(i)
        return out

    def filter(self, diags: list[Diagnostic]) -> list[Diagnostic]:
        """The diagnostics no live waiver accepts (limits and workflow findings are never waived)."""
        out = []
        for d in diags:
            hit = self._match(d)
            if hit is None or d.code.startswith("HUB8") or not registry()[d.code].waivable:
                out.append(d)
            else:
                self.used.add(hit)
                self.waived += 1
        return out

    def _match(self, d: Diagnostic) -> int | None:
        for i in self.live:
            w = self.spec.waive[i]
            if w.code.upper() == d.code and (w.target == "*" or _under(d.key_path, w.target)):
                return i
        return None

    def unused(self, *, after_build: bool, among: tuple[int, ...] | None = None) -> list[Diagnostic]:
        """HUB802 for each live waiver (of `among`, when given) that matched nothing. Before the
        build, a waiver of a code only the build emits is left for the build to judge."""
        out = []
        for i in self.live:
            w = self.spec.waive[i]
            if i in self.used or (among is not None and i not in among) or (not after_build and found_by_build(w.code)):
                continue
            entry = registry().get(w.code.upper())
            out.append(
                diag(
                    "HUB802",
                    f"{w.code} cannot be waived: it is one of hubc's limits" if entry and not entry.waivable
                    else f"waiver of {w.code} at `{w.target}` matches no finding",
                    self.source.at_key(("waive", i)),
                    ("waive", i),
                    help="the finding is gone: delete the waiver so it cannot hide a future one",
                )
            )
        return out

    def pending(self) -> tuple[int, ...]:
        """Live waivers still unused that a build stage's finding may match."""
        return tuple(i for i in self.live if i not in self.used and found_by_build(self.spec.waive[i].code))
