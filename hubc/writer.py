"""Writing a build into its output folder OUT, as a whole.

The pipeline produces a `BuildPlan` {relative path: bytes}; only the CLI calls this module.

    resolve_target(OUT, inputs)   before the build: refuse an unusable OUT early (exit 2)
    write_build(plan, target)     after the build: stage, carry user files, swap, clean up

Mechanism (README, "How OUT is replaced"):

1. A lock (`fcntl.flock` on `.OUT.hubc-lock`, beside OUT) serialises builds into one OUT; a
   second build waits up to `wait_s` seconds, then fails with HUB904. The lock file stays.
2. Leftovers of a killed build (`.OUT.hubc-staging-XXXXXXXX`, `.OUT.hubc-old-XXXXXXXX`, beside
   OUT, never inside it) are removed; if OUT is missing while an old tree exists (a crash inside
   the fallback's window, below), the old tree is first put back as OUT.
3. The plan is written into a fresh staging folder beside OUT (same parent, so the same
   filesystem), every file created exclusively and fsynced, with the manifest `.hubc-manifest`.
4. Files in the old OUT that hubc did not write (not in its manifest) are carried into the
   staging folder: hard-linked (copied when a link is refused), symlinks recreated as symlinks
   and never followed. A file hubc now writes under the same name wins.
5. Swap: on Linux `renameat2(RENAME_EXCHANGE)` exchanges staging and OUT atomically; a reader,
   or a crash at any instant, sees the whole old folder or the whole new one. Where exchange is
   unavailable, OUT is renamed aside and the staging folder renamed in: between the two renames
   OUT does not exist (a window of two system calls; a crash there is repaired by step 2).
6. The old tree (now under the staging or old name) is deleted without following symlinks.

Nothing is written or deleted outside OUT, the staging and old folders and the lock file; OUT
may not contain the spec or files it reads. Every failure before the swap leaves OUT as it was.
`HUBC_TEST_SLOW_WRITE_MS` slows every step (tests kill a build at random points with it);
`HUBC_TEST_NO_EXCHANGE=1` forces the fallback swap.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath

import attrs

from hubc.codes import diag
from hubc.diagnostics import HubcError, Location

MANIFEST = ".hubc-manifest"
STAGING = "staging"
OLD = "old"
MANIFEST_CAP = 4 << 20  # bytes: a longer manifest is not hubc's


# ------------------------------------------------------------------------------- target


@attrs.frozen(kw_only=True)
class Target:
    """Where a build goes: OUT as typed (for messages) and its real parent and name."""

    shown: str
    parent: Path  # absolute, symlinks resolved
    name: str

    @property
    def path(self) -> Path:
        return self.parent / self.name

    @property
    def lock_name(self) -> str:
        return f".{self.name}.hubc-lock"

    def leftover(self, entry: str) -> str | None:
        """'staging' or 'old' when `entry` (a name in the parent) is one of our leftovers."""
        m = re.fullmatch(rf"\.{re.escape(self.name)}\.hubc-({STAGING}|{OLD})-[0-9a-f]{{8}}", entry)
        return m.group(1) if m else None

    def fresh(self, kind: str) -> str:
        return f".{self.name}.hubc-{kind}-{secrets.token_hex(4)}"


def _fail(code: str, message: str, shown: str, help: str | None = None) -> HubcError:
    return HubcError([diag(code, message, Location(file=shown or "-o"), help=help)], 2)


def resolve_target(raw: str, inputs: Iterable[Path] = ()) -> Target:
    """Check OUT before the build: a usable folder path (it need not exist yet) that holds none
    of `inputs` (the spec and the files it reads). Raises HubcError (exit 2) otherwise."""
    if raw == "":
        raise _fail("HUB901", "the output folder is an empty path", raw,
                    help='name a folder, e.g. `-o out`; to build into the current folder say `-o .`')
    if "\0" in raw:
        raise _fail("HUB901", "the output folder's path contains a NUL character", raw)
    try:
        st = os.lstat(raw)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise _fail("HUB901", f"the output folder {raw} is a path through a file", raw,
                    help="one of its parent components is a file, not a folder; choose another path") from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENAMETOOLONG):
            raise _fail("HUB901", f"the output folder {raw} is not a usable path: {_why(exc)}", raw) from None
        raise _fail("HUB902", f"the output folder {raw} cannot be examined: {_why(exc)}", raw) from None
    if st is not None and stat.S_ISLNK(st.st_mode):
        try:
            target_st = os.stat(raw)
        except FileNotFoundError:
            raise _fail("HUB901", f"the output folder {raw} is a dangling symlink (to {os.readlink(raw)})", raw,
                        help="create the folder it points to, remove the link, or choose another path") from None
        except OSError as exc:
            raise _fail("HUB901", f"the output folder {raw} is a symlink that cannot be followed: {_why(exc)}",
                        raw) from None
        if not stat.S_ISDIR(target_st.st_mode):
            raise _fail("HUB901", f"the output folder {raw} is a symlink to something that is not a folder", raw)
    elif st is not None and not stat.S_ISDIR(st.st_mode):
        raise _fail("HUB901", f"the output folder {raw} exists and is not a folder", raw,
                    help="hubc replaces OUT as a whole, so it must be a folder (or not exist yet)")
    real = Path(os.path.realpath(raw))
    if real.parent == real:
        raise _fail("HUB901", f"the output folder {raw} is the file system's root", raw,
                    help="OUT is replaced as a whole through a folder beside it; choose a subfolder")
    # The nearest existing ancestor must be a folder we can create entries in.
    probe = real.parent
    while not os.path.lexists(probe):
        probe = probe.parent
    if not probe.is_dir():
        raise _fail("HUB901", f"the output folder {raw} is a path through a file ({probe})", raw,
                    help="one of its parent components is a file, not a folder; choose another path")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise _fail("HUB902", f"the output folder {raw} cannot be written: {probe} is not writable", raw,
                    help="OUT is built beside itself and swapped in, so its parent folder must be writable")
    for item in inputs:
        inside = Path(os.path.realpath(item))
        if inside == real or real in inside.parents:
            raise _fail("HUB903", f"the output folder {raw} contains {item}, which this build reads", raw,
                        help="OUT is replaced as a whole on every build; build into a folder of its own, "
                             "e.g. `-o out`")
    return Target(shown=raw, parent=real.parent, name=real.name)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


# ------------------------------------------------------------------------------ writing


@attrs.frozen(kw_only=True)
class WriteReport:
    files: int
    carried: tuple[str, ...]  # user files kept from the old OUT
    replaced: tuple[str, ...]  # user files (not hubc's) that a file of this build replaced
    swap: str  # "exchange", "rename" (fallback) or "new" (OUT did not exist)
    swap_seconds: float


def safe_relpath(name: str) -> bool:
    """A path hubc may create inside OUT: relative, normal, no `..`, no control characters."""
    if not name or "\\" in name or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return False
    p = PurePosixPath(name)
    return not p.is_absolute() and str(p) == name and all(part not in (".", "..") for part in p.parts)


def write_build(
    plan: Mapping[str, bytes],
    target: Target,
    *,
    wait_s: float = 60.0,
    say: Callable[[str], None] | None = None,
) -> WriteReport:
    """Replace OUT by the plan as a whole (see the module docstring). Raises HubcError (exit 2)
    with HUB902/HUB904 when OUT cannot be written; OUT is then as it was."""
    for name in plan:
        if not safe_relpath(name) or name == MANIFEST:
            raise _fail("HUB902", f"refusing to write an unsafe file name {name!r} into the output folder",
                        target.shown, help="this is a bug in hubc: please report it with the spec")
    say = say or (lambda _m: None)
    created = _make_parents(target)
    try:
        pfd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        _remove_created(created)
        raise _fail("HUB902", f"cannot open {target.parent}: {_why(exc)}", target.shown) from None
    try:
        lock = _Lock(pfd, target, wait_s, say)
        lock.acquire()
        try:
            return _write_locked(plan, target, pfd)
        except HubcError:
            if created:
                lock.discard()  # the folders it sits in go too
            raise
        finally:
            lock.release()
    except HubcError:
        _remove_created(created)
        raise
    finally:
        os.close(pfd)


def _make_parents(target: Target) -> list[Path]:
    """Create OUT's missing parent folders; returns them (deepest last) so a failure can undo."""
    missing = []
    p = target.parent
    while not os.path.lexists(p):
        missing.append(p)
        p = p.parent
    made = []
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue
        except OSError as exc:
            _remove_created(made)
            raise _fail("HUB902", f"cannot create {folder}: {_why(exc)}", target.shown) from None
        made.append(folder)
    return made


def _remove_created(folders: list[Path]) -> None:
    for folder in reversed(folders):
        try:
            os.rmdir(folder)
        except OSError:
            return


class _Lock:
    """An exclusive flock on `.OUT.hubc-lock` in OUT's parent, waited for up to `wait_s`.

    After locking, the file is checked to still be the one at that name (a failed first build
    may unlink it while holding it), so two builds never hold locks on different files."""

    def __init__(self, pfd: int, target: Target, wait_s: float, say: Callable[[str], None]):
        self.pfd, self.target, self.wait_s, self.say = pfd, target, wait_s, say
        self.fd = -1

    def _open(self) -> int:
        t = self.target
        try:
            return os.open(t.lock_name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644,
                           dir_fd=self.pfd)
        except OSError as exc:
            raise _fail("HUB902", f"cannot create the lock file {t.parent / t.lock_name}: {_why(exc)}",
                        t.shown) from None

    def acquire(self) -> None:
        t = self.target
        deadline = time.monotonic() + max(0.0, self.wait_s)
        told = False
        self.fd = self._open()
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder()
                    os.close(self.fd)
                    self.fd = -1
                    raise _fail(
                        "HUB904",
                        f"another hubc build{holder} is writing {t.shown}; gave up after {self.wait_s:g} s",
                        t.shown,
                        help="wait for it to finish, or raise --wait; builds into one folder run one at a time",
                    ) from None
                if not told:
                    self.say(f"waiting for another hubc build{self._holder()} to finish writing {t.shown} "
                             f"(up to {self.wait_s:g} s)")
                    told = True
                time.sleep(0.05)
                continue
            held = os.fstat(self.fd)
            now = _lstat_at(self.pfd, t.lock_name)
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                break
            os.close(self.fd)  # unlinked or replaced while we waited: lock the current file
            self.fd = self._open()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)

    def _holder(self) -> str:
        try:
            pid = os.pread(self.fd, 32, 0).decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return ""
        return f" (pid {pid})" if pid.isdigit() else ""

    def discard(self) -> None:
        """Unlink the lock file while holding it (only when hubc created the folder it is in)."""
        try:
            os.unlink(self.target.lock_name, dir_fd=self.pfd)
        except OSError:
            pass

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # releases the flock; the file stays (deleting it would race)
            self.fd = -1


def _slow() -> None:
    ms = os.environ.get("HUBC_TEST_SLOW_WRITE_MS")
    if ms:
        time.sleep(float(ms) / 1000.0)


def _write_locked(plan: Mapping[str, bytes], target: Target, pfd: int) -> WriteReport:
    _recover(target, pfd)
    old_st = _lstat_at(pfd, target.name)
    if old_st is not None and not stat.S_ISDIR(old_st.st_mode):
        raise _fail("HUB901", f"the output folder {target.shown} is no longer a folder", target.shown)
    staging = target.fresh(STAGING)
    try:
        os.mkdir(staging, 0o700, dir_fd=pfd)
    except OSError as exc:
        raise _fail("HUB902", f"cannot create a staging folder in {target.parent}: {_why(exc)}",
                    target.shown, help="OUT is built beside itself, so its parent folder must be writable") from None
    stage_path = target.parent / staging
    try:
        for name, data in plan.items():
            _write_file(stage_path, name, data)
            _slow()
        _write_file(stage_path, MANIFEST, "".join(f"{n}\n" for n in sorted(plan)).encode("utf-8"))
        carried: list[str] = []
        replaced: list[str] = []
        if old_st is not None:
            hubc_files = _read_manifest(target.path)
            _carry(target.path, stage_path, "", hubc_files, carried, replaced)
            mode = stat.S_IMODE(old_st.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o777 & ~umask
        os.chmod(stage_path, mode)
        _fsync_tree(stage_path)
        _slow()
    except HubcError:
        _rmtree_at(pfd, staging)
        raise
    except OSError as exc:
        _rmtree_at(pfd, staging)
        where = f" ({exc.filename})" if exc.filename else ""
        raise _fail("HUB902", f"cannot write the output folder {target.shown}: {_why(exc)}{where}",
                    target.shown, help="nothing was changed: OUT is as it was") from None
    except BaseException:
        _rmtree_at(pfd, staging)
        raise
    start = time.perf_counter()
    try:
        if old_st is None:
            how = "new"
            _rename_noreplace(pfd, staging, target.name)
            leftover = None
        elif os.environ.get("HUBC_TEST_NO_EXCHANGE") != "1" and _exchange(pfd, staging, target.name):
            how, leftover = "exchange", staging
        else:
            how, leftover = "rename", target.fresh(OLD)
            os.rename(target.name, leftover, src_dir_fd=pfd, dst_dir_fd=pfd)
            try:
                os.rename(staging, target.name, src_dir_fd=pfd, dst_dir_fd=pfd)
            except OSError:
                os.rename(leftover, target.name, src_dir_fd=pfd, dst_dir_fd=pfd)
                raise
    except OSError as exc:
        _rmtree_at(pfd, staging)
        raise _fail("HUB902", f"cannot swap the new build into {target.shown}: {_why(exc)}", target.shown,
                    help="nothing was changed: OUT is as it was") from None
    seconds = time.perf_counter() - start
    try:
        os.fsync(pfd)  # make the rename durable; the swap itself is already done
    except OSError:
        pass
    _slow()
    if leftover is not None:
        _rmtree_at(pfd, leftover)  # a failure leaves it for the next build's clean-up
    return WriteReport(files=len(plan), carried=tuple(carried), replaced=tuple(replaced), swap=how,
                       swap_seconds=seconds)


def _lstat_at(pfd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=pfd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _recover(target: Target, pfd: int) -> None:
    """Under the lock: put back an old tree left by a crash inside the fallback's window, then
    delete every staging and old folder of this OUT (no live build owns them)."""
    found: dict[str, list[tuple[float, str]]] = {STAGING: [], OLD: []}
    with os.scandir(pfd) as entries:
        for e in entries:
            kind = target.leftover(e.name)
            if kind is not None:
                try:
                    found[kind].append((e.stat(follow_symlinks=False).st_mtime, e.name))
                except OSError:
                    continue
    if _lstat_at(pfd, target.name) is None and found[OLD]:
        _, newest = max(found[OLD])
        st = _lstat_at(pfd, newest)
        if st is not None and stat.S_ISDIR(st.st_mode):
            os.rename(newest, target.name, src_dir_fd=pfd, dst_dir_fd=pfd)
            found[OLD].remove(max(found[OLD]))
    for kind in (STAGING, OLD):
        for _, name in found[kind]:
            _rmtree_at(pfd, name)


def _rmtree_at(pfd: int, name: str) -> None:
    """Delete `name` in the parent without following symlinks (a symlink is just unlinked)."""
    st = _lstat_at(pfd, name)
    if st is None:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(name, dir_fd=pfd, ignore_errors=True)
    else:
        try:
            os.unlink(name, dir_fd=pfd)
        except OSError:
            pass


def _write_file(root: Path, name: str, data: bytes) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_manifest(out: Path) -> set[str]:
    """The files the previous build wrote (its manifest), each validated; an unreadable or
    tampered manifest only means fewer files are recognised as hubc's (so they are kept)."""
    try:
        fd = os.open(out / MANIFEST, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return set()
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return set()
        raw = os.read(fd, MANIFEST_CAP + 1)
    except OSError:
        return set()
    finally:
        os.close(fd)
    if len(raw) > MANIFEST_CAP:
        return set()
    lines = raw.decode("utf-8", errors="replace").split("\n")
    return {n for n in lines if safe_relpath(n)}


def _carry(old_root: Path, new_root: Path, rel: str, hubc_files: set[str], carried: list[str],
           replaced: list[str]) -> None:
    """Carry the entries of old_root/rel that hubc did not write into new_root/rel."""
    src_dir = old_root / rel if rel else old_root
    with os.scandir(src_dir) as it:
        entries = sorted(it, key=lambda e: e.name)
    for e in entries:
        sub = f"{rel}/{e.name}" if rel else e.name
        if sub == MANIFEST or sub in hubc_files:
            continue
        src, dst = Path(e.path), new_root / sub
        st = e.stat(follow_symlinks=False)
        existing = _lstat(dst)
        if stat.S_ISDIR(st.st_mode):
            if existing is None:
                os.mkdir(dst, 0o700)
                before = len(carried)
                _carry(old_root, new_root, sub, hubc_files, carried, replaced)
                if len(carried) == before and any(os.scandir(src)):
                    os.rmdir(dst)  # it held only hubc's files, which this build no longer writes
                    continue
                os.chmod(dst, stat.S_IMODE(st.st_mode))
                if len(carried) == before:
                    carried.append(sub + "/")  # an empty folder of the user's
            elif stat.S_ISDIR(existing.st_mode):
                _carry(old_root, new_root, sub, hubc_files, carried, replaced)  # a folder hubc also writes
            else:
                replaced.append(sub + "/")
            continue
        if existing is not None:
            replaced.append(sub)  # a file of this build has the name: hubc's wins
            continue
        if stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(src), dst)
        else:
            try:
                os.link(src, dst, follow_symlinks=False)
            except OSError:
                if not stat.S_ISREG(st.st_mode):
                    continue  # a FIFO or device that cannot be linked is not carried
                shutil.copy2(src, dst, follow_symlinks=False)
        carried.append(sub)


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, _files in os.walk(root):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ------------------------------------------------------------------------ renameat2(2)

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None  # glibc < 2.28 or another libc without the wrapper
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _renameat2()


def _exchange(pfd: int, a: str, b: str) -> bool:
    """Atomically exchange a and b (both in the folder pfd); False where unsupported."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(pfd, os.fsencode(a), pfd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), b)


def _rename_noreplace(pfd: int, a: str, b: str) -> None:
    if _RENAMEAT2 is not None:
        if _RENAMEAT2(pfd, os.fsencode(a), pfd, os.fsencode(b), _RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err not in _UNSUPPORTED:
            raise OSError(err, os.strerror(err), b)
    os.rename(a, b, src_dir_fd=pfd, dst_dir_fd=pfd)


def input_files(spec_path: Path, checked) -> list[Path]:
    """The spec and every file it names (catalog extensions, profile CSVs): OUT may hold none."""
    spec = checked.spec
    names: list[str] = list(getattr(getattr(spec, "catalog", None), "files", ()) or ())
    energy = getattr(spec, "energy", None)
    if getattr(energy, "profile_csv", None):
        names.append(energy.profile_csv)
    for plant in getattr(spec, "renewable", ()) or ():
        if getattr(plant, "profile_csv", None):
            names.append(plant.profile_csv)
    return [spec_path] + [Path(checked.base_dir) / n for n in names]
