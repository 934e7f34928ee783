"""`hubc sweep` on real Dask clusters: a LocalCluster of two worker processes, a scheduler and two
workers started as separate processes on 127.0.0.1, a failing variant, a resumed sweep, identical
results whatever the number of workers, and Ctrl-C keeping what finished.

The variants are small (the 10 MW pilot builds in about a second) and few; each test still starts
a cluster, so they are marked slow."""

import contextlib
import glob
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubc.cli import main
from hubc.sweep import load_sweep, run_sweep
from tests.conftest import ROOT, SPECS

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")

RESULT_FILES = ("results.parquet", "results.csv", "index.html")


def _sweep_file(folder: Path, powers, name="pilot.toml") -> Path:
    """Rack power of the pilot's compute racks: at 150 kW the facility peak exceeds the 13 MW
    contract (HUB301) and the rows their busways (HUB203), so that variant fails its check and the
    sweep goes on."""
    path = folder / name
    path.write_text(f"""schema = "hubc-sweep/1"
base = "{(SPECS / 'pilot-10mw.toml').as_posix()}"
time_limit_s = 300

[[axis]]
key = "rack_type[id=gb200-nvl72].power_kw"
values = {list(powers)}
""", "utf-8")
    return path


def _load(path):
    sweep, diags = load_sweep(path)
    assert sweep is not None, diags
    return sweep


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address="127.0.0.1:0") as c:
        yield c


def test_two_worker_processes_a_failing_variant_and_a_resumed_sweep(cluster, tmp_path):
    out = tmp_path / "out"
    report = run_sweep(_load(_sweep_file(tmp_path, [120, 132, 150])), out, scheduler=cluster.scheduler_address)
    assert report.statuses == {"ok": 2, "error": 1} and report.computed == 3 and not report.interrupted
    rows = (out / "results.csv").read_text("utf-8-sig").splitlines()
    assert [r.split(",")[3:6] for r in rows[1:]] == [["ok", "0", "0"], ["ok", "0", "0"], ["error", "1", "2"]]
    failed = None
    for folder in (out / "variants").iterdir():
        rec = json.loads((folder / "result.json").read_text())
        if rec["status"] == "error":
            failed = rec
            assert not (folder / "out").exists()
            assert "pilot-10mw.toml:" in (folder / "diagnostics.txt").read_text()
        else:
            assert (folder / "out" / "report.html").is_file() and (folder / "out" / "design.json").is_file()
            assert (folder / "spec" / "pilot-10mw.toml").is_file()
    assert failed["exit_code"] == 1 and failed["diagnostics"][0]["code"] == "HUB301"

    # A wider sweep into the same folder builds only the new variant.
    wider = _load(_sweep_file(tmp_path, [120, 128, 132, 150]))
    again = run_sweep(wider, out, scheduler=cluster.scheduler_address)
    assert (again.cached, again.computed) == (3, 1) and again.statuses == {"ok": 3, "error": 1}

    # The same sweep from nothing on a default local cluster of one worker: identical results.
    alone = tmp_path / "alone"
    run_sweep(wider, alone, workers=1)
    for name in RESULT_FILES:
        assert (out / name).read_bytes() == (alone / name).read_bytes(), name
    assert (out / "timings.csv").is_file()


def test_a_scheduler_and_two_workers_started_as_processes(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    scheduler_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs: list[subprocess.Popen] = []

    def start(*args):
        # Own session: the cleanup below signals the worker's nanny and its worker process together.
        procs.append(subprocess.Popen([*dask, *args], env=env, cwd=tmp_path, start_new_session=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
              "--scheduler-file", str(scheduler_file))
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(2):
            start("worker", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1", "--nworkers", "1",
                  "--nthreads", "1", "--no-dashboard")
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
        out = tmp_path / "out"
        result = CliRunner().invoke(main, ["sweep", str(_sweep_file(tmp_path, [120, 132])), "-o", str(out),
                                           "--scheduler", address])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("2 variants (2 ok; 2 built, 0 from the cache)")
        assert all((out / name).is_file() for name in RESULT_FILES)
    finally:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=30)


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT")
def test_ctrl_c_keeps_what_finished(tmp_path):
    """SIGINT to the whole process group, as a terminal's Ctrl-C sends it."""
    sweep = _sweep_file(tmp_path, [110, 115, 120, 125, 132])
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    p = subprocess.Popen([sys.executable, "-m", "hubc", "sweep", str(sweep), "-o", str(out), "--workers", "1"],
                         env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not glob.glob(str(out / "variants" / "*" / "result.json")) and time.monotonic() < deadline:
            assert p.poll() is None, p.stdout.read().decode()
            time.sleep(0.1)
        os.killpg(p.pid, signal.SIGINT)
        output, _ = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)
    assert p.returncode == 130, output.decode()
    assert "KeyboardInterrupt" not in output.decode()  # workers leave Ctrl-C to the client
    rows = (out / "results.csv").read_text("utf-8-sig").splitlines()[1:]
    done = [r for r in rows if ",ok," in r]
    assert 1 <= len(done) < 5 and len(rows) == 5 and all(",pending," in r for r in rows if r not in done)
    listing = CliRunner().invoke(main, ["sweep", str(sweep), "-o", str(out), "--dry-run"]).output
    assert listing.count(" cached ") == len(done) and listing.count(" to build ") == 5 - len(done)
