"""The task a Dask worker runs: one variant's complete check + build, within a time limit.

In: a `Job` (the variant spec's text, the files it names, the time limit, the client's hubc
version). Out: an `Outcome` (status, exit code, diagnostics, headline figures, the build's
files as bytes, wall time). The task is a pure function of its job, so a cluster may run it
anywhere; the client writes the outcome under OUT.

Each build runs in a child process forked from the worker (POSIX), so the time limit is a hard
one (the child is killed) and a crash in a solver or an out-of-memory kill costs one variant,
not the worker. The worker imports hubc's stages once and checks each variant itself (pure
Python, which also loads the catalog), so forked children start with all of that in memory: a
pilot variant takes ~1 s instead of the ~4 s of a fresh process. Where there is no fork, the
build runs in the worker thread and the limit is checked between stages.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import attrs

from hubc import __version__
from hubc.codes import diag
from hubc.diagnostics import Diagnostic, HubcError, Location

# Statuses and the hubc exit code each stands for (`hubc build` would exit with it).
OK, ERROR, INFEASIBLE, TIMEOUT, CRASHED = "ok", "error", "infeasible", "timeout", "crashed"
# Outcomes that depend only on the spec and the hubc version, so they are cached. A timeout
# depends on the machine and a crash on luck: a rerun tries them again.
CACHED_STATUSES = frozenset({OK, ERROR, INFEASIBLE})


@attrs.frozen(kw_only=True)
class Job:
    digest: str
    name: str  # the base spec's file name: the variant is checked under it
    text: str = attrs.field(repr=False)
    files: tuple[tuple[str, bytes], ...] = attrs.field(repr=False)
    time_limit_s: float
    hubc_version: str


@attrs.frozen(kw_only=True)
class Outcome:
    digest: str
    status: str
    exit_code: int
    diagnostics: tuple[Diagnostic, ...]
    figures: dict[str, Any] = attrs.field(factory=dict)
    plan: dict[str, bytes] = attrs.field(factory=dict, repr=False)
    build_s: float = 0.0
    hubc_version: str = __version__


def run_variant(job: Job) -> Outcome:
    """The Dask task. Never raises for a variant's own failure: it is an `Outcome`."""
    if job.hubc_version != __version__:
        return _failed(job, CRASHED, 1, diag(
            "HUB962", f"this Dask worker runs hubc {__version__}, the sweep hubc {job.hubc_version}",
            Location(file=job.name), help="install the sweep's hubc version on every worker"))
    _warm()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="hubc-variant-"))
    try:
        run = _in_child if hasattr(os, "fork") else _in_thread
        outcome = run(job, workdir, started)
    except Exception as exc:  # noqa: BLE001 - a bug: recorded for this variant, and the sweep goes on
        outcome = crash(job, f"hubc raised {type(exc).__name__}: {exc}", _traceback_notes(exc))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return attrs.evolve(outcome, build_s=round(time.monotonic() - started, 3))


def _failed(job: Job, status: str, exit_code: int, d: Diagnostic) -> Outcome:
    return Outcome(digest=job.digest, status=status, exit_code=exit_code, diagnostics=(d,))


def _warm() -> None:
    """Import the build stages in the worker (once) so every forked child starts with them."""
    global _WARM
    if _WARM:
        return
    import importlib
    import pkgutil
    import warnings

    # Python 3.12+ warns that fork() in a threaded process may deadlock the child: a child that
    # takes a lock another worker thread held. The child here only runs hubc's build (its own
    # solver threads start fresh) and leaves with os._exit, never touching the worker's state.
    warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks", category=DeprecationWarning)

    import hubc

    # Every hubc module, and the libraries the stages import inside their functions (OR-Tools'
    # CP-SAT wrapper alone pulls in pandas): about 3 s a build otherwise, in each child.
    names = [m.name for m in pkgutil.walk_packages(hubc.__path__, "hubc.") if not m.name.startswith("hubc.sweep")]
    names += ["ortools.sat.python.cp_model", "ortools.linear_solver.pywraplp", "numpy", "jinja2", "xlsxwriter", "graphviz"]
    for module in names:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    _WARM = True


_WARM = False


# --------------------------------------------------------------------------- the build


def check_variant(job: Job, workdir: Path):
    """Write the variant spec and its files into `workdir` (a fresh folder, so files resolve as
    they did beside the base spec) and check it: the `Checked`, or an `Outcome` if it has errors.
    Checking is pure Python and quick; it runs in the worker, which also warms the catalog
    caches that every forked build then starts with."""
    from hubc.pipeline import check_spec, exit_code

    spec = workdir / job.name
    spec.write_text(job.text, "utf-8")
    for rel, data in job.files:
        target = workdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    checked = check_spec(spec, job.name)
    if checked.ok:
        return checked
    return Outcome(digest=job.digest, status=ERROR, exit_code=exit_code(checked.diagnostics),
                   diagnostics=_local(checked.diagnostics, workdir))


def build_checked(job: Job, checked, workdir: Path, deadline: float | None = None) -> Outcome:
    """The build of a checked variant: status, diagnostics, headline figures and files."""
    from hubc.pipeline import build_spec

    def progress(_message: str) -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise _TimeUp

    try:
        built = build_spec(checked, progress)
    except HubcError as exc:
        status = INFEASIBLE if exc.exit_code == 3 else ERROR
        return Outcome(digest=job.digest, status=status, exit_code=exc.exit_code,
                       diagnostics=_local(exc.diagnostics, workdir))
    return Outcome(digest=job.digest, status=OK, exit_code=0, diagnostics=_local(built.diagnostics, workdir),
                   figures=headline(built.design), plan=dict(built.plan))


def _local(diags, workdir: Path) -> tuple[Diagnostic, ...]:
    """Files beside the spec are named as the spec names them, not by the temporary folder."""
    prefix = str(workdir) + os.sep
    return tuple(_relocate(d, prefix) for d in diags)


def _relocate(d: Diagnostic, prefix: str) -> Diagnostic:
    def loc(where: Location) -> Location:
        if where.file.startswith(prefix):
            return attrs.evolve(where, file=where.file[len(prefix):].replace(os.sep, "/"))
        return where

    related = tuple((loc(w), label) for w, label in d.related)
    return attrs.evolve(d, location=loc(d.location), related=related)


def headline(design) -> dict[str, Any]:
    """The figures a portfolio compares, from the typed design (None where a stage did not run).
    Rounded so the results read well; builds are deterministic, so rounding never hides a change."""
    from hubc.finance import capex_total_krw

    s, e, el, p, f = design.summary, design.energy, design.electrical, design.procurement, design.finance
    it_mw = s.it_kw / 1000 if s else None
    capex = capex_total_krw(p) if p else None  # the complete capex, as the finance stage counts it
    out: dict[str, Any] = {
        "it_mw": _r(it_mw, 3),
        "facility_peak_mw": _r(s.facility_peak_kw / 1000, 3) if s else None,
        "racks": s.racks if s else None,
        "gpus": s.gpus if s else None,
        "capex_krw": capex,
        "capex_krw_per_mw": _r(capex / it_mw, 0) if capex is not None and it_mw else None,
        "domestic_share": _r(p.domestic_share, 4) if p else None,
        "cfe_hourly": None,
        "re_share": None,
        "grid_import_mwh": None,
        "bess_mwh": None,
        "bess_mw": None,
        "ups_mw": _r(el.installed.ups_kw / 1000, 3) if el else None,
        "transformer_mva": _r(el.installed.transformer_kva / 1000, 3) if el else None,
        "opex_krw_year1": round(f.opex_first_year_krw) if f else None,
        "lcoe_krw_per_mwh": _r(f.lcoe_krw_per_mwh, 1) if f else None,
        "tco_krw": round(f.tco_krw) if f else None,
    }
    if e is not None:
        load_mwh = float(e.load_mw.sum())
        out["cfe_hourly"] = _r(e.cfe_score, 4)
        out["re_share"] = _r(float(e.renewable_mw.sum()) / load_mwh, 4) if load_mwh else None
        out["grid_import_mwh"] = _r(float(e.grid_mw.sum()), 1)
        out["bess_mwh"] = _r(e.bess.installed_energy_mwh, 3) if e.bess else 0.0
        out["bess_mw"] = _r(e.bess.installed_power_mw, 3) if e.bess else 0.0
    return out


def _r(x: float | None, nd: int) -> float | None:
    if x is None:
        return None
    v = round(float(x), nd)
    return v + 0.0  # never -0.0


class _TimeUp(BaseException):
    """Raised between stages when the deadline passed (the thread fallback). A BaseException so
    no `except Exception` in a stage swallows it."""


# ----------------------------------------------------------------------- where it runs


def _timeout(job: Job) -> Outcome:
    return _failed(job, TIMEOUT, 3, diag(
        "HUB960", f"the variant did not finish within the time limit of {job.time_limit_s:g} s",
        Location(file=job.name), help="raise time_limit_s (or --time-limit), or build it alone to see the slow stage"))


def crash(job: Job, reason: str, notes: tuple[str, ...] = ()) -> Outcome:
    d = diag("HUB961", reason, Location(file=job.name), notes=notes,
             help="build the variant alone with `hubc build` to see the traceback, and report it")
    return _failed(job, CRASHED, 1, d)


def _traceback_notes(exc: BaseException) -> tuple[str, ...]:
    lines = "".join(traceback.format_exception(exc)).rstrip().splitlines()
    return tuple(lines[-12:])


def _in_thread(job: Job, workdir: Path, started: float) -> Outcome:
    checked = check_variant(job, workdir)
    if isinstance(checked, Outcome):
        return checked
    try:
        return build_checked(job, checked, workdir, deadline=started + job.time_limit_s)
    except _TimeUp:
        return _timeout(job)


def _in_child(job: Job, workdir: Path, started: float) -> Outcome:
    checked = check_variant(job, workdir)
    if isinstance(checked, Outcome):
        return checked
    read_end, write_end = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
        if pid == 0:  # the child: build, send the pickled outcome, and leave without cleanup
            os.close(read_end)
            _child(job, checked, workdir, write_end, parent)
        os.close(write_end)
        data, timed_out = _read_until(read_end, started + job.time_limit_s)
        if timed_out:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(read_end)
    if timed_out:
        return _timeout(job)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        why = " (out of memory?)" if sig == signal.SIGKILL else ""
        return crash(job, f"the build process was killed by {name}{why}")
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - a child that died mid-write leaves a truncated pickle
        return crash(job, f"the build process ended (exit status {os.waitstatus_to_exitcode(status)}) without a result")


def _child(job: Job, checked, workdir: Path, write_end: int, parent: int) -> None:
    code = 0
    try:
        _die_with_parent()
        if os.getppid() != parent:  # the worker died before the line above took effect
            raise SystemExit(1)
        try:
            outcome = build_checked(job, checked, workdir)
        except BaseException as exc:  # noqa: BLE001 - a bug or a signal: reported, never raised
            outcome = crash(job, f"the build raised {type(exc).__name__}: {exc}", _traceback_notes(exc))
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        # Never return into the worker's code, and skip its atexit handlers and buffers.
        os._exit(code)


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL if the worker that forked it dies (a worker killed on
    Ctrl-C or by the nanny must not leave builds running)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything the child writes until it closes the pipe, or (..., True) at the deadline."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", True
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
