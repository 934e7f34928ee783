"""Portfolio sweeps: many variants of one campus, each a complete check + build, on Dask.

In: a sweep file (`hubc.sweep.load`: a base spec and axes of key paths with values, combined as
a product, a zip or a seeded sample). Out, under OUT (`hubc.sweep.results`): one folder per
variant by spec digest (its spec, diagnostics and build), results.parquet and results.csv with
one row per variant, index.html with a Pareto chart and a sortable table (`hubc.sweep.page`).

    load_sweep(path) -> Sweep (variants made on the client)
    run_sweep(sweep, out) -> cached variants read back, the rest run as Dask tasks
        (`hubc.sweep.task.run_variant`: a pure function of the variant), results written
"""

from hubc.sweep.engine import ClusterError, SweepReport, describe, run_sweep
from hubc.sweep.load import load_sweep
from hubc.sweep.write import OutputFolderError

__all__ = ["ClusterError", "OutputFolderError", "SweepReport", "describe", "load_sweep", "run_sweep"]
