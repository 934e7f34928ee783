"""The HV side as the grid code and the substation's arrangement set it.

In: the spec's grid profile (`[grid] code`, catalog `data/grid-profiles.toml`), its
`[substation]` bus scheme and optional first stage of a two-stage HV chain
(`[substation.hv_stage]`: HV/HV transformers, e.g. 230/69 kV ahead of 69/13.8 kV main
transformers), the utility circuits. Out: the system frequency (the network's `f_hz`, the
short-circuit peak factors of IEC 62271-1 and the DC time constants follow it); `HvScheme`, the
HV buses with their circuits and circuit breakers by bus scheme (catalog `[bus_scheme]`); the
network's HV/HV stage (intermediate bus sections, HV/HV transformers with their breakers) and its
failure scenarios (each HV/HV transformer lost).

Rules: breakers = ceil(per_circuit x n / group) x group + extra, n = incomers + transformer bays
(single bus 1 per circuit; sectionalised single bus + 1 bus-section breaker; double bus + 1
coupler; breaker-and-a-half 3 per diameter of 2 circuits; ring 1 per circuit).
"""

from __future__ import annotations

import math

import attrs

from hubc.catalog import electrical as cat
from hubc.catalog.grids import profile_for
from hubc.core.derived import derived


def grid_frequency_hz(spec) -> float:
    """The system frequency of the spec's grid profile (KEPCO and ANSI 60 Hz, IEC 50 Hz)."""
    return float(profile_for(spec).frequency_hz)


def main_hv_kv(spec) -> float:
    """The main transformers' high side: the intermediate voltage of a two-stage chain, else the supply."""
    st = spec.substation.hv_stage
    return st.voltage_kv if st is not None else spec.substation.hv_voltage_kv


def utility_circuits(spec) -> int:
    """Utility circuits landing on the HV bus: the lines' circuits, or [grid] circuits without lines."""
    return sum(t.circuits for t in spec.transmission) or spec.grid.circuits


@attrs.frozen(kw_only=True)
class HvBus:
    id: str
    voltage_kv: float
    scheme: str
    incomers: int  # utility circuits, or HV/HV transformers on an intermediate bus
    transformer_bays: int  # transformers it feeds
    circuits: int
    breakers: int
    rule: str
    source: str


@attrs.frozen(kw_only=True)
class HvScheme:
    grid_code: str
    frequency_hz: float
    frequency_source: str
    buses: tuple[HvBus, ...]
    hv_hv_transformers: int = 0
    hv_hv_transformer_mva: float = 0.0
    hv_hv_redundancy: str = ""

    @derived
    @property
    def breakers(self) -> int:
        """HV circuit breakers of every HV bus."""
        return sum(b.breakers for b in self.buses)


def breakers(scheme: str, circuits: int) -> tuple[int, str]:
    """(circuit breakers, rule) of a bus arrangement with `circuits` circuits (catalog [bus_scheme])."""
    row = cat.table("bus_scheme")[scheme]
    per, group, extra = float(row["per_circuit"]), int(row["group"]), int(row["extra"])
    n = math.ceil(per * circuits / group - 1e-9) * group + extra
    rule = f"{scheme}: ceil({per:g} x {circuits} / {group}) x {group} + {extra}"
    return n, rule


def size_hv_scheme(spec) -> HvScheme:
    """The HV buses of the campus substation with their breakers (none for an MV supply)."""
    profile = profile_for(spec)
    sub = spec.substation
    src = str(cat.table("bus_scheme")["source"])
    buses = []
    st = sub.hv_stage
    if sub.transformers > 0 or st is not None:
        first = st.transformers if st is not None else sub.transformers
        n = utility_circuits(spec) + first
        b, rule = breakers(sub.bus_scheme, n)
        buses.append(HvBus(id=f"{sub.id}.hv", voltage_kv=sub.hv_voltage_kv, scheme=sub.bus_scheme, incomers=utility_circuits(spec),
                           transformer_bays=first, circuits=n, breakers=b, rule=rule, source=src))
    if st is not None:
        n = st.transformers + sub.transformers
        b, rule = breakers(st.bus_scheme, n)
        buses.append(HvBus(id=f"{sub.id}.iv", voltage_kv=st.voltage_kv, scheme=st.bus_scheme, incomers=st.transformers,
                           transformer_bays=sub.transformers, circuits=n, breakers=b, rule=rule, source=src))
    return HvScheme(
        grid_code=profile.id, frequency_hz=float(profile.frequency_hz), frequency_source=profile.frequency_source,
        buses=tuple(buses),
        hv_hv_transformers=st.transformers if st is not None else 0,
        hv_hv_transformer_mva=st.transformer_mva if st is not None else 0.0,
        hv_hv_redundancy=st.redundancy if st is not None else "",
    )


# ------------------------------------------------------------------------- network stage


def add_hv_stage(b) -> None:
    """Insert the first stage of a two-stage chain into a network builder (`build._Builder`)
    whose utility circuits already land on its HV sections: intermediate bus sections, the HV/HV
    transformers between them (each with a breaker on both sides); the main transformers then
    land on the intermediate sections."""
    st = b.spec.substation.hv_stage
    if st is None or not b.hv_sections:
        return
    from hubc.electrical.build import TIE_Z_OHM, main_transformer_vk
    from hubc.electrical.network import Bus, Switch, Transformer

    sid, hv_kv = b.sid, b.spec.substation.hv_voltage_kv
    n_iv = 2 if (st.transformers >= 2 or b.sz.main_tx_count >= 2) else 1
    iv = [f"{sid}.iv-{i + 1}" for i in range(n_iv)]
    for s in iv:
        b.buses.append(Bus(id=s, vn_kv=st.voltage_kv, role="hv-section", section=s, area=sid))
    if n_iv == 2:
        b.switches.append(Switch(id=f"{sid}.iv-coupler", bus=iv[0], element=iv[1], element_kind="bus", kind="CB", role="coupler", closed=True, z_ohm=TIE_Z_OHM, area=sid))
    kva = st.transformer_mva * 1000
    vk = main_transformer_vk(st.transformer_mva)
    x_r, xr_src = cat.transformer_x_r(kva)
    pfe, i0, nl_src = cat.transformer_no_load(kva)
    for k in range(st.transformers):
        unit = f"{sid}.ivt-{k + 1}"
        hv, lv = b.hv_sections[k % len(b.hv_sections)], iv[k % n_iv]
        for side, bus, kv in (("hv", hv, hv_kv), ("lv", lv, st.voltage_kv)):
            b.buses.append(Bus(id=f"{unit}.{side}", vn_kv=kv, role="transformer-hv", section=bus, area=sid))
            b.switches.append(Switch(id=f"{unit}.{side}-cb", bus=bus, element=f"{unit}.{side}", element_kind="bus", kind="CB", role="transformer-hv", closed=True, z_ohm=TIE_Z_OHM, area=sid))
        b.trafos.append(Transformer(
            id=unit, unit=unit, hv_bus=f"{unit}.hv", lv_bus=f"{unit}.lv", role="hv-hv", sn_mva=st.transformer_mva,
            vn_hv_kv=hv_kv, vn_lv_kv=st.voltage_kv, vk_percent=vk, vkr_percent=vk / math.sqrt(1 + x_r * x_r),
            pfe_kw=pfe / 100 * kva, i0_percent=i0, vector_group="YNyn0", tap_side="", vk_min_percent=vk, area=sid,
            source=f"HV/HV {hv_kv:g}/{st.voltage_kv:g} kV; vk {cat.transformer_z_source(kva)}; X/R {xr_src}; no-load {nl_src}",
        ))
    b.hv_sections = iv


def hv_stage_failures(network, flow, facility_kw: float) -> None:
    """Each HV/HV transformer lost (both its breakers open); the others carry the campus."""
    units = [t for t in network.transformers if t.role == "hv-hv"]
    for t in units:
        left = len(units) - 1
        flow(f"{t.unit}/fails", "transformer", "campus", switching=(f"open {t.unit}.hv-cb", f"open {t.unit}.lv-cb"),
             failed=(t.unit,), lost_kw=0.0 if left else facility_kw)


def hv_stage_equipment(network, scheme: HvScheme | None, area: str) -> list:
    """The BOM line of the HV/HV transformers, counted from the network like the main transformers
    (the intermediate bus's breakers are bays of its sections, counted with the HV GIS)."""
    from hubc.core.equipment import Equipment

    units = sorted({t.unit for t in network.transformers if t.role == "hv-hv"})
    if scheme is None or not units:
        return []
    t = next(x for x in network.transformers if x.role == "hv-hv")
    return [Equipment(
        id=f"{area}/hv-hv-transformer", family="main-transformer",
        description=f"HV/HV transformer {t.vn_hv_kv:g}/{t.vn_lv_kv:g} kV {t.sn_mva:g} MVA ({scheme.hv_hv_redundancy})",
        rating=t.sn_mva, rating_unit="MVA", quantity=len(units), system="grid", area=area,
        spec_path=("substation", "hv_stage", "transformer_mva"))]
