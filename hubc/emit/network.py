"""network.json: the electrical network in pandapower's own JSON format (`pandapower.to_json`),
for engineers who rerun the studies: `pandapower.from_json("network.json")`, then `runpp` for the
normal load flow and `shortcircuit.calc_sc` for the IEC 60909 currents.

The net holds the normal state: every switch in its normal position, the OLTC taps where the
normal load flow left them, the loads at their design values (the hall copies other than the
typical one as equivalent loads at their feeder ends), standby gensets behind open breakers,
converters at zero output, the utility with its maximum and minimum fault levels. Element names
are the network's ids. No results tables: the file depends only on the design, so the same spec
gives the same bytes (the JSON is re-serialised with sorted keys).
"""

from __future__ import annotations

import json


def network_json(result) -> bytes | None:
    if getattr(result, "network", None) is None or result.studies is None:
        return None
    from hubc.electrical.studies import Grid, _pp, quiet

    pp, _sc = _pp()
    grid = Grid(result.network, taps=dict(result.studies.normal_taps))
    with quiet():
        text = pp.to_json(grid.net)
    # pandapower writes its tables in a fixed order already; sorting the keys makes the bytes
    # independent of dict insertion order in any pandapower version
    doc = json.loads(text)
    return (json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=True) + "\n").encode("utf-8")


def emit_network(result) -> dict[str, bytes]:
    data = network_json(result)
    return {"network.json": data} if data is not None else {}
