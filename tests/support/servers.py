"""Real Redis and PostgreSQL for the tests: the machine's running servers under a key prefix or
schema of the test's own, or a `redis-server` of the test's own on a free loopback port (for a
test that stops or restarts it). Without a server the test skips with the reason; under
CI=true it fails instead, since CI's machines have both.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("CITATBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("CITATBOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def absent(reason: str) -> None:
    """Skip, or fail under CI=true where the servers must be there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true, but {reason}")
    pytest.skip(reason)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def require_redis() -> str:
    """The running Redis's URL, or skip."""
    if not reachable("127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])):
        absent(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def require_postgres() -> str:
    if not reachable("127.0.0.1", 5432):
        absent(f"no PostgreSQL at {POSTGRES_URL}")
    return POSTGRES_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of our own in a temp folder, keeping nothing on disk; stopped by pid."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            absent("redis-server is not on the PATH")
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not reachable("127.0.0.1", self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self, down: float = 0.5) -> None:
        """Stopped, down for `down` seconds, started again empty."""
        self.stop()
        time.sleep(down)
        self.start()
