"""Running a sweep on Dask distributed: cached variants are read back, the rest are submitted as
tasks (`hubc.sweep.task.run_variant`), and each result is written under OUT as it arrives.

The cluster is a `distributed.LocalCluster` sized to the machine (one single-threaded worker
process per CPU; each build runs in a child of its worker), or an existing one given by its
scheduler address. Results are rewritten once at the end, and also when the user presses
Ctrl-C: finished variants are on disk already, and a rerun computes only what is missing.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs

from hubc import __version__
from hubc.sweep import results, write
from hubc.sweep.model import Sweep, Variant
from hubc.sweep.page import page
from hubc.sweep.task import Job, Outcome, crash, run_variant

Say = Callable[[str], None]


class ClusterError(Exception):
    """The scheduler cannot be reached or has no workers: a usage error."""


@attrs.frozen(kw_only=True)
class SweepReport:
    variants: int
    cached: int  # distinct specs read back from OUT
    computed: int  # distinct specs built in this run
    statuses: dict[str, int]  # per variant
    interrupted: bool

    @property
    def all_ok(self) -> bool:
        return set(self.statuses) == {"ok"}

    def summary(self) -> str:
        parts = ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items()))
        how = f"{self.computed} built, {self.cached} from the cache"
        return f"{self.variants} variants ({parts}; {how})" + ("; interrupted" if self.interrupted else "")


def machine_workers() -> int:
    """CPUs this process may run on (a container's or taskset's share, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_sweep(sweep: Sweep, out: Path, *, scheduler: str | None = None, workers: int | None = None,
              time_limit_s: float | None = None, say: Say | None = None) -> SweepReport:
    say = say or (lambda _m: None)
    write.prepare(out)
    by_digest: dict[str, Variant] = {}
    for v in sweep.variants:
        by_digest.setdefault(v.digest, v)
    records: dict[str, results.Record] = {}
    for digest, v in by_digest.items():
        rec = results.cached(out / "variants" / v.short, v)
        if rec is not None:
            records[digest] = rec
    todo = [v for d, v in by_digest.items() if d not in records]
    n_cached = len(records)
    if n_cached:
        say(f"{n_cached} of {len(by_digest)} distinct variants are in {out} already")
    limit = time_limit_s if time_limit_s is not None else sweep.time_limit_s
    interrupted = False
    if todo:
        try:
            _compute(sweep, todo, out, records, limit, scheduler, workers, say)
        except KeyboardInterrupt:
            interrupted = True
    write_results(sweep, out, records)
    statuses: dict[str, int] = {}
    for v in sweep.variants:
        s = records[v.digest]["status"] if v.digest in records else results.PENDING
        statuses[s] = statuses.get(s, 0) + 1
    return SweepReport(variants=len(sweep.variants), cached=n_cached, computed=len(records) - n_cached,
                       statuses=statuses, interrupted=interrupted)


def _compute(sweep: Sweep, todo: list[Variant], out: Path, records: dict[str, results.Record], limit: float,
             scheduler: str | None, workers: int | None, say: Say) -> None:
    from distributed import as_completed

    with _client(scheduler, workers, len(todo), say) as client:
        futures = {}
        for v in todo:
            job = Job(digest=v.digest, name=sweep.base_name, text=v.text, files=v.files, time_limit_s=limit,
                      hubc_version=__version__)
            # A readable key (the dashboard shows it), unique to this client: a shared scheduler
            # must not hand back another client's result for the same digest.
            fut = client.submit(run_variant, job, key=f"hubc-variant-{v.short}-{client.id}", pure=False)
            futures[fut] = (v, job)
        done = 0
        try:
            for fut in as_completed(list(futures)):
                v, job = futures.pop(fut)
                try:
                    outcome = fut.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker (KilledWorker) or a cancelled task
                    outcome = crash(job, f"the Dask task failed: {type(exc).__name__}: {exc}")
                fut.release()
                records[v.digest] = store(sweep, v, outcome, out)
                done += 1
                say(f"[{done}/{len(todo)}] #{v.number} {v.short} {outcome.status} {outcome.build_s:.1f} s  "
                    + _inputs_text(sweep, v))
        except KeyboardInterrupt:
            say(f"interrupted: {done} of {len(todo)} variants finished and are kept; rerun to build the rest")
            client.cancel(list(futures))
            raise


def store(sweep: Sweep, variant: Variant, outcome: Outcome, out: Path) -> results.Record:
    """Write a variant's folder (atomically) and return its record."""
    files = results.variant_files(sweep, variant, outcome)
    write.replace_folder(out / "variants" / variant.short, files)
    return results.record(outcome)


def write_results(sweep: Sweep, out: Path, records: dict[str, results.Record]) -> None:
    table = results.results_table(sweep, records)
    meta = {"hubc_version": __version__, "sweep": sweep.name, "base": sweep.base_name, "combine": sweep.combine}
    write.write_files(out, {
        "results.parquet": results.parquet_bytes(table, meta),
        "results.csv": results.csv_bytes(table.columns, table.rows),
        "timings.csv": results.timings_csv(sweep, records),
        "index.html": page(sweep, table),
    })


def describe(sweep: Sweep, out: Path) -> str:
    """`hubc sweep --dry-run`: every variant with its digest, inputs and whether OUT has it."""
    lines = [f"{sweep.name}: {len(sweep.variants)} variants of {sweep.base_name} ({sweep.combine})"]
    for v in sweep.variants:
        have = results.cached(out / "variants" / v.short, v) is not None
        lines.append(f"#{v.number} {v.short} {'cached' if have else 'to build'}  {_inputs_text(sweep, v)}")
    return "".join(line + "\n" for line in lines)


def _inputs_text(sweep: Sweep, v: Variant) -> str:
    return ", ".join(f"{k}={val}" for k, val in sweep.inputs(v))


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None, n_tasks: int, say: Say) -> Iterator:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            try:
                client.wait_for_workers(1, timeout=60)
            except TimeoutError:
                raise ClusterError(f"the Dask scheduler at {scheduler} has no workers (waited 60 s)") from None
            say(f"Dask scheduler {scheduler}: {len(client.nthreads())} workers")
            yield client
        finally:
            client.close()
        return
    n = max(1, min(workers or machine_workers(), n_tasks))
    say(f"starting a local Dask cluster of {n} worker process(es)")
    # One thread per worker: a build is CPU-bound Python and single-threaded solvers, so a
    # process per CPU is the parallelism. The scheduler's HTTP server (the dashboard, if bokeh is
    # installed) takes a free loopback port: the default 8787 may be another sweep's.
    with _sigint_ignored():
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                               silence_logs=logging.ERROR)
    with cluster, Client(cluster) as client:
        say(f"local Dask cluster ready: {n} worker process(es) at {cluster.scheduler_address}")
        yield client


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Start the local workers with SIGINT ignored (they inherit it): Ctrl-C in a terminal
    signals the whole process group, and the client alone should handle it, cancel what is
    left and close the cluster, instead of every worker printing a KeyboardInterrupt."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)

