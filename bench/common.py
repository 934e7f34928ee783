"""What the benchmarks share: a spec loaded as `hubc build` loads it."""

from __future__ import annotations


def load_spec(path: str):
    """(document, typed spec) of a spec file; a spec that does not load stops the benchmark with
    its diagnostics."""
    from hubc.spec.convert import structure
    from hubc.spec.source import load_path

    doc, _ = load_path(path)
    spec, diags = structure(doc)
    if spec is None:
        raise SystemExit(f"{path}: does not load: {[str(d) for d in diags]}")
    return doc, spec
