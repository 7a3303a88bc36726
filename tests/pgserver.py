"""A throwaway PostgreSQL server on loopback, for the tests and the benchmarks.

fokus runs on PostgreSQL as well as SQLite, so the storage, import, coding, analysis and concurrency tests run
against both. This starts a private cluster from the machine's own PostgreSQL binaries (Debian's ``postgresql``
package): a new data folder, trust authentication on 127.0.0.1 only, a free port, and durability switched off
(``fsync=off``), since the data is thrown away. As root it runs the server as the ``postgres`` user, which
PostgreSQL insists on.

Used three ways:

- ``python tests/pgserver.py start DIR`` starts a server in ``DIR`` and prints its URL; ``stop DIR`` stops it
  (``.ci/run`` does this, then exports the URL as ``FOKUS_TEST_POSTGRESQL``);
- tests/conftest.py starts one for the session when no URL is given and the binaries are installed, and makes a
  database per test with Norwegian collation (see :func:`create_database`);
- bench scripts start one to measure PostgreSQL beside SQLite in the same run.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

USER = "fokus"
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first; None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root, and there is no runuser to start PostgreSQL as the postgres user")
    return [runuser, "-u", "postgres", "--", *command]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(folder: Path) -> str:
    """Create a cluster in ``folder`` (which must not exist or be empty), start it and return its admin URL."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb); on Debian: apt-get install postgresql")
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    run = _as_server_user
    _run(run([str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]))
    port = _free_port()
    options = " ".join(f"-c {key}={value}" for key, value in {**SETTINGS, "port": port}.items())
    options += f" -c unix_socket_directories={folder}"
    _run(run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options, "-w", "start"]))
    (folder / "url").write_text(url(port), encoding="utf-8")
    return url(port)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )


def url(port: int, database: str = "postgres") -> str:
    return f"postgresql+psycopg://{USER}@127.0.0.1:{port}/{database}"


def stop(folder: Path) -> None:
    bindir = binaries()
    if bindir is None or not (folder / "data").exists():
        return
    subprocess.run(
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"]),
        check=False,
        capture_output=True,
    )


def libpq(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (psycopg connects with it; SQLAlchemy names its driver in the scheme)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _admin(admin_url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(libpq(admin_url), autocommit=True)


def create_database(admin_url: str, prefix: str = "fokus", *, template: str | None = None) -> str:
    """A new database on the server of ``admin_url``, empty or a copy of the database at URL ``template`` (which
    nobody may be connected to: PostgreSQL copies it file by file, far faster than rebuilding it); returns its
    URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin(admin_url) as conn:
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING "UTF8" {_collation(conn)}')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _collation(conn) -> str:  # type: ignore[no-untyped-def]
    """Norwegian collation (ICU, PostgreSQL 15+), as on a Norwegian university's server: text sorts as the language
    sorts it (æ, ø, å after z; case and punctuation second), not in code point order as SQLite does, so a test that
    relied on SQLite's order fails here as it would for a team."""
    version = conn.execute("SHOW server_version_num").fetchone()[0]
    if int(version) >= 150000:
        return "LOCALE_PROVIDER icu ICU_LOCALE 'nb-NO'"
    return ""


def drop_database(admin_url: str, database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    with _admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python tests/pgserver.py start|stop DIR", file=sys.stderr)
        return 2
    folder = Path(argv[1]).resolve()
    if argv[0] == "start":
        print(start(folder))
    else:
        stop(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
