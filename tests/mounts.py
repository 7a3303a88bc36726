"""Real storage that fails: a small file system that fills up, one mounted read-only, files and folders that cannot
be written. Tests use these instead of imitating the errors, so that the code path is the one a researcher meets.

As root (where the mode bits do not stop anyone) a tmpfs is mounted for a full or read-only disk, and ``chattr +i``
makes a file or folder immutable; as another user, mode bits do the same job and mounting is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (``"4m"``) at ``folder``, unmounted afterwards; skips the test where mounting is not
    allowed (not root, or a container without the capability)."""
    folder.mkdir(parents=True, exist_ok=True)
    if (
        not ROOT
        or shutil.which("mount") is None
        or not _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    ):
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield folder
    finally:
        _run("umount", "-l", str(folder))


def remount_read_only(folder: Path) -> None:
    assert _run("mount", "-o", "remount,ro", str(folder)), "remounting the tmpfs read-only failed"


@contextmanager
def unwritable(path: Path) -> Iterator[str]:
    """``path`` (a file or a folder) made unwritable for this process; yields how ("immutable" or "mode")."""
    if ROOT:
        if shutil.which("chattr") is None or not _run("chattr", "+i", str(path)):
            pytest.skip("chattr +i is not available on this file system")
        try:
            yield "immutable"
        finally:
            _run("chattr", "-i", str(path))
        return
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield "mode"
    finally:
        path.chmod(mode)
