"""A real PostgreSQL server for the tests, on 127.0.0.1.

Uses ``BRIEFING_TEST_POSTGRES_URL`` when set (CI may start its own server); otherwise starts a
throwaway cluster with the Debian binaries in /usr/lib/postgresql/*/bin (as the ``postgres``
user when running as root, since PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_pg_bin() -> str | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _as_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a base URL (no database name) of a running PostgreSQL server."""
    url = os.environ.get("BRIEFING_TEST_POSTGRES_URL")
    if url:
        yield url.rstrip("/")
        return
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
    tmp = tempfile.mkdtemp(prefix="briefing-pg-")
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
    data = os.path.join(tmp, "data")
    port = free_port()
    subprocess.run(
        _as_user([f"{pg_bin}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    proc = subprocess.Popen(
        _as_user(
            [
                f"{pg_bin}/postgres",
                "-D",
                data,
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-k",
                tmp,
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("PostgreSQL did not start")
        time.sleep(0.3)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)  # fast shutdown: do not wait for idle clients
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def create_database(base_url: str) -> str:
    """Create a fresh database on the server and return its URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    dsn = base_url.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base_url}/{name}"
