"""The power chain's losses in the hourly facility load, from the electrical stage's load flow.

`with_network_losses(load_mw, it_mw, model)`: the PUE models' planning allowance for losses
(model.allowance_kw_per_kw_it x IT) is taken out of each hour and the load flow's losses put in,
scaled with the hour's facility load x (per unit of the design load): UPS in proportion to x,
transformer no-load losses constant, windings, cables and lines with x^2.
"""

from __future__ import annotations

import numpy as np


def with_network_losses(load_mw: np.ndarray, it_mw: np.ndarray, model) -> tuple[np.ndarray, str]:
    """-> (hourly load MW, a label for the energy year's basis)."""
    base = np.asarray(load_mw, dtype=float) - model.allowance_kw_per_kw_it * np.asarray(it_mw, dtype=float)
    x = base / (model.design_load_kw / 1000.0) if model.design_load_kw > 0 else np.zeros_like(base)
    losses = (model.proportional_kw * x + model.no_load_kw + model.load_squared_kw * x * x) / 1000.0
    out = base + losses
    label = (
        f"power-chain losses from the load flow ({model.design_losses_kw / 1000:,.1f} MW at the design load: UPS "
        f"{model.proportional_kw / 1000:,.1f} x load, no-load {model.no_load_kw / 1000:,.1f}, I2R {model.load_squared_kw / 1000:,.1f} x load^2; "
        f"mean {float(losses.mean()):,.1f} MW) in place of the PUE's {model.allowance_kw_per_kw_it:.0%} allowance"
    )
    return out, label


__all__ = ["with_network_losses"]
