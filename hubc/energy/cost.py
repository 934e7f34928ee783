"""What the replayed energy year costs to run: the grid bill, PPA payments, BESS wear and the
renewable plants' O&M (an estimate from the catalog's tariff and shares).

In: the `Tariff`, the replayed hourly grid import and BESS discharge, the plants' years and
the energy catalog. Out: an `EnergyCost` (design.json writes it; the finance stage builds its
opex table on it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from hubc.core.derived import derived
from hubc.energy.tariff import MonthBill

if TYPE_CHECKING:
    from hubc.energy.tariff import Tariff


@attrs.frozen(kw_only=True)
class PlantCost:
    id: str
    kind: str
    annual_mwh: float
    ppa_krw: float  # PPA payment (take-or-pay on the delivered profile, curtailed energy included)
    om_krw: float  # owned plant: fixed O&M (the catalog's share of its capex)


@attrs.frozen(kw_only=True)
class EnergyCost:
    """One year of the energy system's running cost at the replayed dispatch, KRW."""

    tariff: str
    tariff_publication: str
    tariff_effective: str
    tariff_tag: str  # "U": the rates are estimates
    voltage_class: str
    demand_krw_per_kw_month: float
    mean_price_krw_per_mwh: float  # of the hours, unweighted
    months: tuple[MonthBill, ...]
    plants: tuple[PlantCost, ...]
    bess_wear_krw: float
    rec_krw_per_mwh: float  # the REC value included in a PPA price; own plants' RECs are kept

    @derived
    @property
    def grid_energy_krw(self) -> float:
        return sum(m.energy_krw for m in self.months)

    @derived
    @property
    def grid_demand_krw(self) -> float:
        return sum(m.demand_krw for m in self.months)

    @derived
    @property
    def ppa_krw(self) -> float:
        return sum(p.ppa_krw for p in self.plants)

    @derived
    @property
    def renewable_om_krw(self) -> float:
        return sum(p.om_krw for p in self.plants)

    @derived
    @property
    def total_krw(self) -> float:
        """Grid energy and demand charges, PPA payments, BESS wear and renewable O&M."""
        return self.grid_energy_krw + self.grid_demand_krw + self.ppa_krw + self.bess_wear_krw + self.renewable_om_krw


def energy_cost(tariff: Tariff, grid_mw: np.ndarray, discharge_mw: np.ndarray, plants, ecat, wear_krw_per_mwh: float, rec: float) -> EnergyCost:
    """The year's running cost: the tariff's monthly bills of the grid import, each plant's PPA
    payment or O&M, and the BESS wear on its discharge."""
    costs = []
    for p in plants:
        rc = ecat.renewable_cost(p.kind)
        costs.append(
            PlantCost(
                id=p.id,
                kind=p.kind,
                annual_mwh=p.annual_mwh,
                ppa_krw=rc.price_krw_per_mwh * p.annual_mwh if not p.catalog_id else 0.0,
                om_krw=rc.om_share_per_year * p.capex_krw if p.catalog_id else 0.0,
            )
        )
    return EnergyCost(
        tariff=tariff.name,
        tariff_publication=tariff.publication,
        tariff_effective=tariff.effective,
        tariff_tag=tariff.tag,
        voltage_class=tariff.voltage_class,
        demand_krw_per_kw_month=tariff.demand_krw_per_mw_month / 1000.0,
        mean_price_krw_per_mwh=float(tariff.price_krw_per_mwh.mean()),
        months=tariff.bill(grid_mw),
        plants=tuple(costs),
        bess_wear_krw=wear_krw_per_mwh * float(np.sum(discharge_mw)),
        rec_krw_per_mwh=rec,
    )
