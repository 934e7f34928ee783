"""Writing a sweep's files under OUT: the one place `hubc sweep` touches the output folder.

Two operations, both atomic for a reader: `write_files` replaces single files (the results,
rewritten as variants finish), `replace_folder` swaps a variant's whole folder in at once (a
folder with result.json is complete). Kept small so it can move onto hubc's shared writer.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

MARKER = ".hubc-sweep"  # marks OUT as a sweep folder, so a rerun may write into it


class OutputFolderError(Exception):
    """OUT cannot be used (a file, or a folder with other contents): a usage error."""


def prepare(out: Path) -> None:
    """Create OUT, or accept it if it is empty or a sweep folder; refuse anything else, so a
    typo in -o never scatters files into a folder that holds other work."""
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out} exists and is not a folder")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise OutputFolderError(f"{out} is not empty and holds no earlier sweep; choose a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    if not (out / MARKER).is_file():
        write_files(out, {MARKER: b"written by hubc sweep; results.*, index.html and variants/ are rewritten by it\n"})


def _safe(name: str) -> str:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts or name != str(p):
        raise ValueError(f"unsafe output path {name!r}")  # a bug, not user input
    return name


def write_files(root: Path, files: Mapping[str, bytes]) -> None:
    """Write each file under root, each replaced atomically (temporary file, then os.replace)."""
    for name, data in files.items():
        target = root / _safe(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def replace_folder(target: Path, files: Mapping[str, bytes]) -> None:
    """Make `target` hold exactly `files`: staged in a sibling folder, then swapped in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    old = None
    try:
        for name, data in files.items():
            path = stage / _safe(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(stage, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
