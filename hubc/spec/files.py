"""Reading the files a spec names (`[catalog] files`, profile CSVs): confined, regular, capped.

A spec is often someone else's (a pull request, a shared example), and hubc quotes lines of
the files it reads in its findings, which CI posts to pull requests. So a spec may only make
hubc read:

- files inside the spec's own folder tree, or under a folder the user names on the command
  line (`--allow-read DIR`): the path is resolved (`..` and symbolic links) first, so neither
  `../../etc/passwd`, `/etc/shadow` nor a symlink pointing out of the tree gets through;
- regular files: a FIFO would block the read forever and /dev/zero never ends;
- at most a size cap (`[limits]` in hubc's rules): the read stops one byte past it.

Every refusal is a diagnostic at the spec key that names the file. This is the one place that
opens such files; every call site goes through `read_referenced_file` (or `read_confined`).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from hubc.codes import diag
from hubc.diagnostics import Diagnostic, KeyPath, Location, quote
from hubc.spec.source import too_large


def _inside(real: Path, roots: Sequence[Path]) -> bool:
    return any(real == root or real.is_relative_to(root) for root in roots)


def _real(path: Path) -> Path:
    # realpath, not Path.resolve(strict=True): a missing file must still be judged by where it
    # would be, so "outside the tree" wins over "does not exist" and leaks nothing about it.
    return Path(os.path.realpath(path))


def resolve_confined(
    candidate: Path, roots: Sequence[Path], cap: int, shown: str, where: Location, path: KeyPath = (),
    *, unreadable: str = "HUB009", what: str = "file",
) -> Path | Diagnostic:
    """The real path of `candidate` if it may be read: inside one of `roots`, an existing
    regular file of at most `cap` bytes. Otherwise the diagnostic that says why not.

    `shown` is the path as the spec wrote it (for messages); `unreadable` the code for a file
    that does not exist or cannot be opened (HUB601 for catalog files, HUB009 otherwise); `what`
    names the kind of file in messages."""
    name = f"{what} {quote(shown, 80)}"
    if "\0" in shown:
        return diag(unreadable, f"cannot read {name}: the path contains a NUL character", where, path)
    real = _real(candidate)
    real_roots = [_real(r) for r in roots]
    if not _inside(real, real_roots):
        return diag(
            "HUB013",
            f"{name} lies outside the spec's folder; hubc reads only files inside it or under --allow-read folders",
            where,
            path,
            help="move the file beside the spec (or into a subfolder), or name its folder with "
            "`--allow-read DIR` on the command line",
        )
    try:
        st = os.stat(real)
    except OSError as exc:
        missing = exc.errno in (errno.ENOENT, errno.ENOTDIR)
        return diag(
            unreadable,
            f"{name} does not exist" if missing else f"cannot read {name}: {exc.strerror or exc}",
            where,
            path,
            help="paths are relative to the spec file",
        )
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, FIFO or socket)"
        return diag("HUB014", f"{name} is {kind}", where, path, help="name the file itself")
    if st.st_size > cap:
        return too_large(shown, st.st_size, cap, name, where, path)
    return real


def read_confined(
    candidate: Path, roots: Sequence[Path], cap: int, shown: str, where: Location, path: KeyPath = (),
    *, unreadable: str = "HUB009", what: str = "file",
) -> bytes | Diagnostic:
    """`resolve_confined`, then the bytes (at most `cap`; a file that grew past it is refused)."""
    real = resolve_confined(candidate, roots, cap, shown, where, path, unreadable=unreadable, what=what)
    if isinstance(real, Diagnostic):
        return real
    name = f"{what} {quote(shown, 80)}"
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the check, open must not wait for
        # a writer; fstat on the descriptor then refuses it. O_NOFOLLOW: nor for a symlink.
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        return diag(unreadable, f"cannot read {name}: {exc.strerror or exc}", where, path)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return diag("HUB014", f"{name} is not a regular file", where, path, help="name the file itself")
        chunks, size = [], 0
        while size <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return diag(unreadable, f"cannot read {name}: {exc.strerror or exc}", where, path)
    finally:
        os.close(fd)
    if size > cap:
        return too_large(shown, size, cap, name, where, path)
    return b"".join(chunks)


def read_referenced_file(
    base_dir: Path | str,
    rel: str,
    allowed_roots: Sequence[Path],
    cap: int,
    where: Location,
    path: KeyPath = (),
    *,
    unreadable: str = "HUB009",
    what: str = "file",
) -> bytes | Diagnostic:
    """Read `rel` (as written in the spec, relative to the spec's folder `base_dir`), confined
    to `base_dir`'s tree and `allowed_roots`, regular, at most `cap` bytes."""
    base = Path(base_dir)
    return read_confined(base / rel, (base, *allowed_roots), cap, rel, where, path, unreadable=unreadable, what=what)


def check_referenced_file(
    base_dir: Path | str,
    rel: str,
    allowed_roots: Sequence[Path],
    cap: int,
    where: Location,
    path: KeyPath = (),
    *,
    what: str = "file",
) -> Diagnostic | None:
    """What `read_referenced_file` would refuse, without reading (for `hubc check`)."""
    base = Path(base_dir)
    found = resolve_confined(base / rel, (base, *allowed_roots), cap, rel, where, path, what=what)
    return found if isinstance(found, Diagnostic) else None
