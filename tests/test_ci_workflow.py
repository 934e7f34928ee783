"""The example workflow in docs/ is real: its hubc commands run, in order, on a scratch git
repository shaped like a design repo (a base branch, then a pull request changing a spec)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import CASES, ROOT

WORKFLOW = ROOT / "docs" / "hubc-review.yml"


def _steps():
    doc = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    return doc["jobs"]["review"]["steps"]


def test_workflow_is_well_formed():
    doc = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert doc["permissions"]["pull-requests"] == "write"
    runs = [s["run"] for s in _steps() if "run" in s]
    joined = "\n".join(runs)
    assert "hubc check --format github" in joined and "hubc plan" in joined and "--format markdown" in joined


@pytest.mark.slow
def test_workflow_commands_run(tmp_path):
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", "-c", "commit.gpgsign=false"]
    repo = tmp_path / "design"
    (repo / "specs").mkdir(parents=True)
    shutil.copy(CASES / "plan" / "base.toml", repo / "specs" / "campus.toml")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(git + ["add", "."], cwd=repo, check=True)
    subprocess.run(git + ["commit", "-qm", "base"], cwd=repo, check=True)
    # The committed lock of the base design, as the frozen step expects.
    (repo / "locks").mkdir()
    hubc = [sys.executable, "-m", "hubc"]
    subprocess.run(hubc + ["build", "specs/campus.toml", "-o", "out/campus", "-q"], cwd=repo, check=True)
    shutil.copy(repo / "out" / "campus" / "hubc.lock", repo / "locks" / "campus.lock")
    subprocess.run(git + ["checkout", "-qb", "pr"], cwd=repo, check=True)
    shutil.copy(CASES / "plan" / "fewer-pods.toml", repo / "specs" / "campus.toml")
    subprocess.run(git + ["commit", "-qam", "one pod fewer"], cwd=repo, check=True)

    env = dict(os.environ, BASE_REF="main", GITHUB_OUTPUT=str(tmp_path / "gh-output"))
    # `origin/main` in CI is the fetched base branch; here the local branch plays that part.
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "main"], cwd=repo, check=True)
    results = {}
    for step in _steps():
        if "run" not in step or "hubc" not in step["run"]:
            continue
        script = re.sub(r"\bhubc\b", f"{sys.executable} -m hubc", step["run"])
        proc = subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True)
        results[step["name"]] = proc
    check = results["Check every spec (annotations appear on the changed lines)"]
    assert check.returncode == 0, check.stdout + check.stderr
    plan = results["Plan the design change against the base branch"]
    assert plan.returncode == 0
    comment = (repo / "plan.md").read_text("utf-8")
    assert "### hubc plan: specs/campus.toml@origin/main -&gt; specs/campus.toml" in comment
    assert "Racks           42 -> 32" in comment
    # A generator redundancy change trips --fail-on redundancy: the status is recorded.
    assert "status=1" in Path(env["GITHUB_OUTPUT"]).read_text()
    frozen = results["Frozen build (the committed hubc.lock must still describe the design)"]
    assert frozen.returncode == 1 and "HUB803" in frozen.stdout
