"""Ids and references: duplicates (HUB101), dangling references (HUB102), id form (HUB103),
definitions nothing uses (HUB104)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from hubc.checks import Ctx
from hubc.codes import diag
from hubc.diagnostics import Diagnostic
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


def _unknown(ctx: Ctx, path: tuple, what: str, value: str, known: list[str]) -> Diagnostic:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    hint = f'did you mean "{close[0]}"?' if close else (
        f"defined {what}s: {', '.join(known)}" if known else f"define a [[{what}]] with this id"
    )
    return diag("HUB102", f'unknown {what.replace("_", " ")} "{value}"', ctx.at(*path), path, help=hint)


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    first: dict[tuple[str, str], tuple] = {}
    for kind, path, ident in _ids(ctx):
        if not KEBAB.match(ident):
            yield diag(
                "HUB103",
                f'{kind.replace("_", " ")} id "{ident}" is not kebab-case',
                ctx.at(*path),
                path,
                help="ids are lower-case letters, digits and single hyphens, e.g. \"hall-a\"; they name output files",
            )
        key = (_namespace(kind), ident)
        if key in first:
            yield diag(
                "HUB101",
                f'duplicate id "{ident}"',
                ctx.at(*path),
                path,
                help="every hall, pod, rack type and plant item needs its own id",
                related=((ctx.at(*first[key]), "first defined here"),),
            )
        else:
            first[key] = path

    rack_ids = [r.id for r in s.rack_type]
    pod_ids = [p.id for p in s.pod]
    hall_ids = [h.id for h in s.hall]
    used_racks: set[str] = set()
    used_pods: set[str] = set()
    for i, pod in enumerate(s.pod):
        for j, rc in enumerate(pod.racks):
            used_racks.add(rc.rack_type)
            if rc.rack_type not in rack_ids:
                yield _unknown(ctx, ("pod", i, "racks", j, "rack_type"), "rack_type", rc.rack_type, rack_ids)
    for i, hall in enumerate(s.hall):
        for j, pc in enumerate(hall.pods):
            used_pods.add(pc.pod)
            if pc.pod not in pod_ids:
                yield _unknown(ctx, ("hall", i, "pods", j, "pod"), "pod", pc.pod, pod_ids)
        for j, rc in enumerate(hall.spine):
            used_racks.add(rc.rack_type)
            if rc.rack_type not in rack_ids:
                yield _unknown(ctx, ("hall", i, "spine", j, "rack_type"), "rack_type", rc.rack_type, rack_ids)
    plant = [s.substation.id, *(t.id for t in s.transmission), *(r.id for r in s.renewable)]
    if s.bess is not None:
        plant.append(s.bess.id)
    for i, ph in enumerate(s.phase):
        for j, ph_hall in enumerate(ph.halls):
            if ph_hall.hall not in hall_ids:
                yield _unknown(ctx, ("phase", i, "halls", j, "hall"), "hall", ph_hall.hall, hall_ids)
        for j, ident in enumerate(ph.energize):
            if ident not in plant:
                yield _unknown(ctx, ("phase", i, "energize", j), "plant item", ident, plant)

    for i, rt in enumerate(s.rack_type):
        if rt.id not in used_racks:
            yield diag(
                "HUB104",
                f'rack type "{rt.id}" is defined but no pod or hall uses it',
                ctx.at("rack_type", i, "id"),
                ("rack_type", i, "id"),
                help="remove it, or reference it from a pod's `racks` or a hall's `spine`",
            )
    for i, pod in enumerate(s.pod):
        if pod.id not in used_pods:
            yield diag(
                "HUB104",
                f'pod "{pod.id}" is defined but no hall places it',
                ctx.at("pod", i, "id"),
                ("pod", i, "id"),
                help="remove it, or add it to a hall's `pods`",
            )
