"""The HV side as the grid code sets it: the system frequency of the spec's grid profile
(`[grid] code`, catalog `data/grid-profiles.toml`), which the network (pandapower `f_hz`), the
short-circuit peak factors (IEC 62271-1: 2.5 at 50 Hz, 2.6 at 60 Hz) and the DC time constants use.
"""

from __future__ import annotations

from hubc.catalog.grids import profile_for


def grid_frequency_hz(spec) -> float:
    """The system frequency of the spec's grid profile (KEPCO and ANSI 60 Hz, IEC 50 Hz)."""
    return float(profile_for(spec).frequency_hz)
