"""The power chain's losses for the energy year, from the design load flow.

In: the network, its studies (losses by class in normal operation at the design load), the
sizing and the assignment (hall copies). Out: `LossModel` - the losses split by how they vary
with the facility load x (per unit of the design load): UPS double conversion in proportion to x
(fixed efficiency), transformer no-load (iron) losses of every energised unit constant, and the
rest (transformer windings, MV cables, HV lines: I^2 R) in proportion to x^2. The energy stage
(`hubc.energy.network_losses`) puts them into the hourly facility load in place of the planning
allowance its PUE models carry (cooling catalog `electrical_losses`).
"""

from __future__ import annotations

import attrs

from hubc.core.loads import cooling_catalog


@attrs.frozen(kw_only=True)
class LossModel:
    design_load_kw: float  # critical + mechanical load at the design point (the losses' x = 1)
    proportional_kw: float  # UPS: in proportion to the load
    no_load_kw: float  # transformer iron losses (energised units): constant
    load_squared_kw: float  # transformer windings, MV cables, HV lines: in proportion to load^2
    allowance_kw_per_kw_it: float  # the planning allowance of the PUE models, replaced
    allowance_source: str

    @property
    def design_losses_kw(self) -> float:
        return self.proportional_kw + self.no_load_kw + self.load_squared_kw


def loss_model(network, studies, sz, asg) -> LossModel | None:
    """From the normal load flow's losses (design.json electrical.studies.losses)."""
    if studies is None or network is None:
        return None
    ls = studies.losses
    copies = {ha.hall: ha.copies for ha in asg.halls}
    iron = counted = 0.0
    for t in network.transformers:
        if t.role == "generator-step-up":
            continue  # standby sets: de-energised while the utility supplies
        kw = t.pfe_kw * (copies.get(t.area, 1) if t.role == "unit-substation" else 1)
        iron += kw
        counted += kw if t.role in ("main", "unit-substation", "mechanical") else 0.0  # the classes of the losses table
    total = ls.total_kw
    el = cooling_catalog()["electrical_losses"]
    return LossModel(
        design_load_kw=round(sz.critical_kw + sz.mechanical_kw, 3),
        proportional_kw=round(ls.ups_kw, 3),
        no_load_kw=round(iron, 3),
        load_squared_kw=round(max(0.0, total - ls.ups_kw - counted), 3),
        allowance_kw_per_kw_it=float(el["kw_per_kw_it"]),
        allowance_source=f"{el['source']} [{el['tag']}, {el['date']}]",
    )


__all__ = ["LossModel", "loss_model"]
