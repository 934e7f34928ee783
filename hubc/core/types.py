"""Results of the layout stage that later stages read.

`RowLoad` is what the electrical stage needs from rack placement: the load each row puts on
its A and B busways. The rack placement stage (`hubc.racks`) returns a `RackLayout`
whose `row_loads()` gives these for every distinct hall (halls with `copies` are solved once).
"""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class RowLoad:
    hall: str  # hall id (one copy; multiply by the hall's copies for the campus)
    row: int  # 1-based row number
    it_kw: float  # IT power of the racks placed in the row
    liquid_kw: float
    air_kw: float
    racks: int
