"""The MV bus arrangement: how the main transformers feed the MV bus sections, and what switches
when transformers are lost.

In: the main-transformer figures of `ElectricalSizing` (count, rating, redundancy, the operating
philosophy, split secondaries, reserve units). Out: `Arrangement` - the windings (one per
transformer, or two or three for a split secondary), the MV sections they feed (active sections
carry feeders; reserve buses only take transfers), the ties and transfer breakers with their
normal state, and `after_loss(out, loads)`: which winding feeds each section once the given
transformers are out, and the switching the philosophy prescribes (which incomer opens, which tie
or transfer breaker closes). The verifier (arithmetic) and the load-flow scenarios (pandapower)
both read the switching from here, so they study the same operation.

Philosophies (spec `electrical.operating_philosophy`):
- `reserve-transformer`: N active transformers each on its own section(s), the spares on reserve
  buses; a section's transfer breaker to a reserve bus closes when its transformer is lost. Never
  two transformers in parallel, so the short-circuit duty is one transformer's.
- `main-tie-main`: sections in a row with normally open ties; on the loss of an incomer the tie to
  the live neighbour with the lower load closes (interlocked: no two sources in parallel).
- `parallel-on-loss`: ties normally open; on a loss every tie closes and the survivors share the
  load in parallel (the N+1 pool; the duty is n-1 transformers in parallel).
- `closed-ties`: every tie closed, all transformers in parallel at all times.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import attrs

PHILOSOPHIES = ("reserve-transformer", "main-tie-main", "parallel-on-loss", "closed-ties")


def resolve_philosophy(requested: str, redundancy: str, transformers: int) -> str:
    """`auto`: a reserve transformer for N+1/N+2 (no paralleling, duty of one unit, each survivor
    loaded no more than normally); main-tie-main for N and 2N (2N halves the normal loading, which
    is what a tie transfer needs)."""
    if requested != "auto":
        return requested
    if redundancy in ("N+1", "N+2") and transformers >= 2:
        return "reserve-transformer"
    return "main-tie-main"


def reserve_count(philosophy: str, redundancy: str, transformers: int) -> int:
    """Transformers kept as reserves (reserve-transformer philosophy only)."""
    if philosophy != "reserve-transformer" or transformers < 2:
        return 0
    spares = {"N": 0, "N+1": 1, "N+2": 2, "2N": transformers // 2}[redundancy]
    return max(0, min(spares, transformers - 1))


def secondaries_needed(transformer_mva: float, mv_kv: float, max_current_a: float, limit: int) -> int:
    """Windings per main transformer so that each winding's rated current fits the largest rated
    current of the MV switchgear class (a split secondary, each winding on its own section)."""
    if transformer_mva <= 0 or mv_kv <= 0:
        return 1
    i_rated = transformer_mva * 1e6 / (math.sqrt(3) * mv_kv * 1e3)
    return max(1, min(limit, math.ceil(i_rated / max_current_a - 1e-9)))


@attrs.frozen(kw_only=True)
class Winding:
    id: str  # "ss.tx-1" (single secondary) or "ss.tx-1a", "ss.tx-1b" (split secondary)
    transformer: str  # "ss.tx-1"
    letter: str  # "" or "a", "b", ...
    rating_kva: float
    reserve: bool


@attrs.frozen(kw_only=True)
class Section:
    id: str  # "ss.mv-1", "ss.mv-1a"; a reserve bus "ss.mv-4"
    winding: str
    transformer: str
    letter: str
    rating_kva: float
    role: str  # "active" | "reserve"


@attrs.frozen(kw_only=True)
class Tie:
    id: str  # "ss.mv-tie-1-2" or "ss.mv-1.transfer-4"
    a: str  # section id
    b: str  # section id (the reserve bus for a transfer breaker)
    kind: str  # "tie" | "transfer"
    normally_closed: bool


@attrs.frozen(kw_only=True)
class Transfer:
    """The operation after some transformers are out: which windings feed each active section
    (one winding, or the live pool for paralleled sections; none: the section is dead), and the
    switching actions in the order an operator would read them."""

    feeds: tuple[tuple[str, tuple[str, ...]], ...]  # (section id, feeding winding ids)
    actions: tuple[str, ...]
    closed_ties: tuple[str, ...]  # ties and transfer breakers closed after the operation

    def fed_by(self) -> dict[str, tuple[str, ...]]:
        return dict(self.feeds)


@attrs.frozen(kw_only=True)
class Arrangement:
    substation_id: str
    philosophy: str
    transformer_mva: float
    secondaries: int
    transformers: tuple[str, ...]
    reserve: tuple[str, ...]  # reserve transformer ids
    windings: tuple[Winding, ...]
    sections: tuple[Section, ...]  # active sections first (in assignment order), then reserve buses
    ties: tuple[Tie, ...]

    @property
    def active_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.role == "active")

    @property
    def reserve_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.role == "reserve")

    def winding(self, wid: str) -> Winding:
        return next(w for w in self.windings if w.id == wid)

    def windings_of(self, transformer: str) -> tuple[Winding, ...]:
        return tuple(w for w in self.windings if w.transformer == transformer)

    def incomer(self, section: Section | str) -> str:
        sid = section if isinstance(section, str) else section.id
        return f"{sid}.incomer"

    def after_loss(self, out: frozenset[str] | set[str], loads_kva: Sequence[float] | None = None) -> Transfer:
        """The switching after the transformers in `out` are lost (normal operation: `out` empty).
        `loads_kva`: normal load of each active section (main-tie-main picks the neighbour with
        the lower load; ties broken by position)."""
        out = frozenset(out)
        act = self.active_sections
        loads = list(loads_kva) if loads_kva is not None else [0.0] * len(act)
        actions = self._openings(out)
        dead = [s for s in act if s.transformer in out]
        pooled = self._pooled(out, dead, actions)
        if pooled is not None:
            return pooled
        feeds = {s.id: (s.winding,) for s in act if s.transformer not in out}
        normally = tuple(t.id for t in self.ties if t.normally_closed)
        pick = self._to_reserve if self.philosophy == "reserve-transformer" else self._to_neighbour
        closes = pick(dead, out, loads)
        closed = list(normally)
        for s in dead:
            tie, winding = closes.get(s.id, (None, None))
            feeds[s.id] = (winding,) if tie else ()
            if tie:
                actions.append(f"close {tie}")
                closed.append(tie)
        return Transfer(feeds=tuple((s.id, feeds[s.id]) for s in act), actions=tuple(actions), closed_ties=tuple(closed))

    def _pooled(self, out: frozenset[str], dead: Sequence[Section], actions: list[str]) -> Transfer | None:
        """The operation when no single transfer is chosen: tied sections (closed-ties), nothing
        lost, or every tie closing (parallel-on-loss). None: reserve or main-tie-main transfers."""
        act = self.active_sections
        live_w = tuple(w.id for w in self.windings if w.transformer not in out)
        normally = tuple(t.id for t in self.ties if t.normally_closed)
        if self.philosophy == "closed-ties":
            return Transfer(feeds=tuple((s.id, live_w) for s in act), actions=tuple(actions), closed_ties=normally)
        if not dead:
            return Transfer(feeds=tuple((s.id, (s.winding,)) for s in act), actions=tuple(actions), closed_ties=normally)
        if self.philosophy == "parallel-on-loss":
            ties = [t for t in self.ties if t.kind == "tie"]
            pool = tuple(w for w in live_w if not self.winding(w).reserve)
            return Transfer(feeds=tuple((s.id, pool) for s in act), actions=tuple(actions) + tuple(f"close {t.id}" for t in ties), closed_ties=tuple(t.id for t in ties))
        return None

    def _openings(self, out: frozenset[str]) -> list[str]:
        """A lost transformer's HV breaker and the incomers of the sections its windings feed."""
        actions: list[str] = []
        for t in sorted(out, key=self.transformers.index):
            actions.append(f"open {t}.hv-cb")
            for w in self.windings_of(t):
                sec = next((s for s in self.sections if s.winding == w.id), None)
                if sec is not None:
                    actions.append(f"open {self.incomer(sec)}")
        return actions

    def _to_reserve(self, dead: Sequence[Section], out: frozenset[str], loads: Sequence[float]) -> dict[str, tuple[str, str]]:
        """Dead section -> (transfer breaker, reserve winding): the first transfer breaker to a
        live reserve winding not yet taken (each reserve winding takes one section)."""
        used: set[str] = set()
        picks: dict[str, tuple[str, str]] = {}
        for s in dead:
            for t in (t for t in self.ties if t.kind == "transfer" and t.a == s.id):
                rb = self.section(t.b)
                if rb.transformer not in out and rb.winding not in used:
                    used.add(rb.winding)
                    picks[s.id] = (t.id, rb.winding)
                    break
        return picks

    def _to_neighbour(self, dead: Sequence[Section], out: frozenset[str], loads: Sequence[float]) -> dict[str, tuple[str, str]]:
        """Dead section -> (tie, winding): the tie to the live neighbour with the lower load that
        carries no other neighbour yet (main-tie-main)."""
        act = self.active_sections
        index = {s.id: i for i, s in enumerate(act)}
        taken: set[str] = set()
        picks: dict[str, tuple[str, str]] = {}
        for s in dead:
            i = index[s.id]
            cands = [
                (loads[j] if j < len(loads) else 0.0, j, act[j])
                for j in (i - 1, i + 1)
                if 0 <= j < len(act) and act[j].transformer not in out and act[j].id not in taken
            ]
            if cands:
                _load, _j, n = min(cands, key=lambda c: (c[0], c[1]))
                taken.add(n.id)
                picks[s.id] = (self.tie_between(s.id, n.id).id, n.winding)
        return picks

    def section(self, sid: str) -> Section:
        return next(s for s in self.sections if s.id == sid)

    def tie_between(self, a: str, b: str) -> Tie:
        return next(t for t in self.ties if {t.a, t.b} == {a, b})

    def winding_loads(self, transfer: Transfer, section_kva: Sequence[float]) -> tuple[dict[str, float], float]:
        """kVA on each winding once `transfer` applies (a paralleled pool shares its load in
        proportion to rating: identical units), and the kVA of dead sections (lost)."""
        per: dict[str, float] = {w.id: 0.0 for w in self.windings}
        lost = 0.0
        pools: dict[tuple[str, ...], float] = {}
        for (sid, fed), kva in zip(transfer.feeds, section_kva):
            if not fed:
                lost += kva
            elif len(fed) == 1:
                per[fed[0]] += kva
            else:
                pools[fed] = pools.get(fed, 0.0) + kva
        for fed, kva in pools.items():
            for w in fed:
                per[w] += kva / len(fed)
        return per, lost


def build_arrangement(
    substation_id: str,
    transformers: int,
    transformer_mva: float,
    philosophy: str,
    secondaries: int = 1,
    reserves: int = 0,
) -> Arrangement:
    """Transformers tx-1..tx-n (the last `reserves` are the reserve units); each has `secondaries`
    windings, each winding its own MV section. No transformers (MV supply): one section fed by
    the utility circuits."""
    sid = substation_id
    if transformers <= 0:
        sec = Section(id=f"{sid}.mv-1", winding="", transformer="", letter="", rating_kva=0.0, role="active")
        return Arrangement(substation_id=sid, philosophy=philosophy, transformer_mva=0.0, secondaries=1, transformers=(), reserve=(), windings=(), sections=(sec,), ties=())
    k = max(1, secondaries)
    letters = [chr(ord("a") + i) for i in range(k)] if k > 1 else [""]
    txs = tuple(f"{sid}.tx-{t + 1}" for t in range(transformers))
    res = txs[transformers - reserves:] if reserves else ()
    windings: list[Winding] = []
    sections: list[Section] = []
    reserve_secs: list[Section] = []
    for t, tx in enumerate(txs):
        for letter in letters:
            w = Winding(id=f"{tx}{letter}", transformer=tx, letter=letter, rating_kva=transformer_mva * 1000 / k, reserve=tx in res)
            windings.append(w)
            s = Section(id=f"{sid}.mv-{t + 1}{letter}", winding=w.id, transformer=tx, letter=letter, rating_kva=w.rating_kva, role="reserve" if tx in res else "active")
            (reserve_secs if tx in res else sections).append(s)
    ties: list[Tie] = []
    closed = philosophy == "closed-ties"
    if philosophy == "reserve-transformer":
        for s in sections:
            for r in reserve_secs:
                if r.letter == s.letter:
                    ties.append(Tie(id=f"{s.id}.transfer-{r.id.rsplit('.mv-', 1)[1]}", a=s.id, b=r.id, kind="transfer", normally_closed=False))
    else:
        for a, b in itertools.pairwise(sections):
            ties.append(Tie(id=f"{sid}.mv-tie-{a.id.rsplit('.mv-', 1)[1]}-{b.id.rsplit('.mv-', 1)[1]}", a=a.id, b=b.id, kind="tie", normally_closed=closed))
    return Arrangement(
        substation_id=sid,
        philosophy=philosophy,
        transformer_mva=transformer_mva,
        secondaries=k,
        transformers=txs,
        reserve=res,
        windings=tuple(windings),
        sections=tuple(sections) + tuple(reserve_secs),
        ties=tuple(ties),
    )


__all__ = [
    "PHILOSOPHIES",
    "Arrangement",
    "Section",
    "Tie",
    "Transfer",
    "Winding",
    "build_arrangement",
    "reserve_count",
    "resolve_philosophy",
    "secondaries_needed",
]
