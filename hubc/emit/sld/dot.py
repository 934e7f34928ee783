"""`sld.dot`: the network's topology as Graphviz DOT source (written with the graphviz package;
nothing is rendered). Buses are nodes; lines, transformers and bus-to-bus switches are edges (a
normally open switch dashed, labelled N.O.); sources and loads are nodes on their bus. Hall copies
are clusters. Every node and edge carries the network element id, as the SVG does."""

from __future__ import annotations

from hubc.electrical.network import Network


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def topology_dot(net: Network, title: str) -> str:
    import graphviz

    g = graphviz.Digraph("sld", graph_attr={"rankdir": "TB", "label": _esc(f"{title} single-line topology"), "newrank": "true"}, node_attr={"shape": "box", "fontsize": "10"})
    clusters: dict[str, list] = {}
    for b in net.buses:
        key = f"{b.area}.c{b.copy:02d}" if b.copy else ""
        clusters.setdefault(key, []).append(b)
    for key in sorted(clusters):
        target = g if not key else graphviz.Digraph(name=f"cluster_{key}", graph_attr={"label": key})
        for b in clusters[key]:
            shape = "underline" if b.role in ("hv-section", "mv-section", "mv-reserve", "utility") else "box"
            extra = f"\\n= {b.typical}" if b.typical else ""
            target.node(b.id, f"{b.id}\\n{b.vn_kv:g} kV {b.role}{extra}", shape=shape)
        if key:
            g.subgraph(target)
    _branches(g, net)
    _injections(g, net)
    return g.source


def _branches(g, net: Network) -> None:
    ends: dict[str, list] = {}
    for s in net.switches:
        if s.element_kind != "bus":
            ends.setdefault(s.element, []).append(s)
    for ln in net.lines:
        g.edge(ln.from_bus, ln.to_bus, label=_edge_label(ln.id, ends.get(ln.id, ())), style=_style(ends.get(ln.id, ())), id=ln.id)
    for t in net.transformers:
        lab = f"{t.id}\\n{t.sn_mva:g} MVA {t.vn_hv_kv:g}/{t.vn_lv_kv:g} kV"
        g.edge(t.hv_bus, t.lv_bus, label=_edge_label(lab, ends.get(t.id, ())), style=_style(ends.get(t.id, ())), id=t.id, penwidth="2")
    for s in net.switches:
        if s.element_kind == "bus":
            g.edge(s.bus, s.element, label=f"{s.id}\\n{s.kind} {'N.C.' if s.closed else 'N.O.'}", style="solid" if s.closed else "dashed", id=s.id, dir="none")


def _edge_label(what: str, switches) -> str:
    return "\\n".join([what, *(f"{s.id} {s.kind} {'N.C.' if s.closed else 'N.O.'}" for s in switches)])


def _style(switches) -> str:
    return "dashed" if any(not s.closed for s in switches) else "solid"


def _injections(g, net: Network) -> None:
    """Sources point at their bus, loads hang from it."""
    kinds = (
        (net.ext_grids, "invhouse", lambda x: f"Ik'' max {x.fault_level_max_ka:g} kA", True),
        (net.generators, "circle", lambda x: f"{x.p_mw * 1000:,.0f} kW", True),
        (net.sgens, "doublecircle", lambda x: f"{x.kind} {x.sn_mva:,.0f} MVA", True),
        (net.loads, "invtriangle", lambda x: f"{x.kind} {x.p_mw:,.3f} MW", False),
        (net.motors, "circle", lambda x: f"motors {x.pn_mech_mw:,.3f} MW", False),
    )
    for table, shape, what, source in kinds:
        for x in table:
            g.node(x.id, f"{x.id}\\n{what(x)}", shape=shape)
            if source:
                g.edge(x.id, x.bus, id=f"{x.id}@{x.bus}")
            else:
                g.edge(x.bus, x.id, id=f"{x.bus}@{x.id}")
