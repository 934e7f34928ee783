"""Ids and references: duplicates (HUB101), dangling references (HUB102), id form (HUB103),
definitions nothing uses (HUB104)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from hubc.checks import Ctx
from hubc.checks.common import at_value
from hubc.diagnostics import Diagnostic, quote
from hubc.spec.limits import limits
from hubc.spec.model import KEBAB

# Collections whose ids share one namespace: phases energize any of them by id.
_PLANT = ("substation", "transmission", "bess", "renewable")


def _ids(ctx: Ctx) -> Iterator[tuple[str, tuple, str]]:
    """(kind, path of the id value, id) for every id in the spec."""
    s = ctx.spec
    yield "campus", ("campus", "id"), s.campus.id
    yield "substation", ("substation", "id"), s.substation.id
    for i, t in enumerate(s.transmission):
        yield "transmission", ("transmission", i, "id"), t.id
    for i, r in enumerate(s.rack_type):
        yield "rack_type", ("rack_type", i, "id"), r.id
    for i, p in enumerate(s.pod):
        yield "pod", ("pod", i, "id"), p.id
    for i, h in enumerate(s.hall):
        yield "hall", ("hall", i, "id"), h.id
    for i, r in enumerate(s.renewable):
        yield "renewable", ("renewable", i, "id"), r.id
    if s.bess is not None:
        yield "bess", ("bess", "id"), s.bess.id
    for i, p in enumerate(s.phase):
        yield "phase", ("phase", i, "id"), p.id


def _namespace(kind: str) -> str:
    return "plant" if kind in _PLANT else kind


# Hints name at most this many defined ids: a list is there to jog the memory, not to dump a
# thousand-entry spec into every finding.
_HINT_IDS = 10
# "Did you mean" costs a fuzzy match against every defined id (~20 ms against a thousand), so
# only this many unknown references get one: 20,000 dangling references took 250 s otherwise.
_SUGGESTIONS = 20


def _unknown(ctx: Ctx, path: tuple, what: str, value: str, known: list[str], budget: list[int]) -> Diagnostic:
    # difflib is quadratic in string length: only a value that could be an id gets a suggestion.
    close = []
    if budget[0] > 0 and len(value) <= limits().id_max_chars:
        budget[0] -= 1
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    if close:
        hint = f'did you mean "{close[0]}"?'
    elif known:
        shown = ", ".join(known[:_HINT_IDS]) + (f", ... ({len(known)} in all)" if len(known) > _HINT_IDS else "")
        hint = f"defined {what}s: {shown}"
    else:
        hint = f"define a [[{what}]] with this id"
    return at_value(ctx, "HUB102", f"unknown {what.replace('_', ' ')} {quote(value)}", path, help=hint)


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    yield from _id_forms_and_duplicates(ctx)
    yield from _references(ctx)
    yield from _unused(ctx)


def _id_form(ctx: Ctx, kind: str, path: tuple, ident: str) -> Iterator[Diagnostic]:
    """HUB103: an id is short and kebab-case (it names output files)."""
    longest = limits().id_max_chars
    what = f"{kind.replace('_', ' ')} id {quote(ident)}"
    if len(ident) > longest:
        hint = "ids name output files and SVG elements: keep them short; put the long name in `name` or `description`"
        yield at_value(ctx, "HUB103", f"{what} is longer than {longest} characters", path, help=hint)
    elif not KEBAB.fullmatch(ident):
        hint = "ids are lower-case letters, digits and single hyphens, e.g. \"hall-a\"; they name output files"
        yield at_value(ctx, "HUB103", f"{what} is not kebab-case", path, help=hint)


def _id_forms_and_duplicates(ctx: Ctx) -> Iterator[Diagnostic]:
    """HUB103 for every id, HUB101 for an id already defined in its namespace."""
    first: dict[tuple[str, str], tuple] = {}
    for kind, path, ident in _ids(ctx):
        yield from _id_form(ctx, kind, path, ident)
        key = (_namespace(kind), ident)
        if key in first:
            hint = "every hall, pod, rack type and plant item needs its own id"
            yield at_value(ctx, "HUB101", f"duplicate id {quote(ident)}", path, help=hint, related=[(first[key], "first defined here")])
        else:
            first[key] = path


def _references(ctx: Ctx) -> Iterator[Diagnostic]:
    """HUB102: every rack type, pod, hall and plant item named is defined."""
    s = ctx.spec
    rack_ids = [r.id for r in s.rack_type]
    pod_ids = [p.id for p in s.pod]
    hall_ids = [h.id for h in s.hall]
    # Sets for membership: specs may have up to `array_entries_max` of each.
    racks_set, pods_set, halls_set = set(rack_ids), set(pod_ids), set(hall_ids)
    budget = [_SUGGESTIONS]
    for i, pod in enumerate(s.pod):
        for j, rc in enumerate(pod.racks):
            if rc.rack_type not in racks_set:
                yield _unknown(ctx, ("pod", i, "racks", j, "rack_type"), "rack_type", rc.rack_type, rack_ids, budget)
    for i, hall in enumerate(s.hall):
        for j, pc in enumerate(hall.pods):
            if pc.pod not in pods_set:
                yield _unknown(ctx, ("hall", i, "pods", j, "pod"), "pod", pc.pod, pod_ids, budget)
        for j, rc in enumerate(hall.spine):
            if rc.rack_type not in racks_set:
                yield _unknown(ctx, ("hall", i, "spine", j, "rack_type"), "rack_type", rc.rack_type, rack_ids, budget)
    plant = [s.substation.id, *(t.id for t in s.transmission), *(r.id for r in s.renewable)]
    if s.bess is not None:
        plant.append(s.bess.id)
    plant_set = set(plant)
    for i, ph in enumerate(s.phase):
        for j, ph_hall in enumerate(ph.halls):
            if ph_hall.hall not in halls_set:
                yield _unknown(ctx, ("phase", i, "halls", j, "hall"), "hall", ph_hall.hall, hall_ids, budget)
        for j, ident in enumerate(ph.energize):
            if ident not in plant_set:
                yield _unknown(ctx, ("phase", i, "energize", j), "plant item", ident, plant, budget)


def _unused(ctx: Ctx) -> Iterator[Diagnostic]:
    """HUB104: rack types no pod or hall spine uses, pods no hall places."""
    s = ctx.spec
    used_racks = {rc.rack_type for pod in s.pod for rc in pod.racks} | {rc.rack_type for hall in s.hall for rc in hall.spine}
    used_pods = {pc.pod for hall in s.hall for pc in hall.pods}
    for i, rt in enumerate(s.rack_type):
        if rt.id not in used_racks:
            msg = f"rack type {quote(rt.id)} is defined but no pod or hall uses it"
            yield at_value(ctx, "HUB104", msg, ("rack_type", i, "id"), help="remove it, or reference it from a pod's `racks` or a hall's `spine`")
    for i, pod in enumerate(s.pod):
        if pod.id not in used_pods:
            msg = f"pod {quote(pod.id)} is defined but no hall places it"
            yield at_value(ctx, "HUB104", msg, ("pod", i, "id"), help="remove it, or add it to a hall's `pods`")
