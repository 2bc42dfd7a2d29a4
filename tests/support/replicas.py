"""Webhook replicas for the tests and `benchmarks/replicas.py`: N real `citatbot telegram`
processes in webhook mode sharing one Redis, a round-robin balancer process in front, and the
fake Bot API delivering updates to the balancer as Telegram delivers to a webhook.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.fake_bot_api import TOKEN, FakeBotApi
from tests.support.servers import free_port, reachable

ROOT = Path(__file__).resolve().parents[2]
SECRET = "replica-secret"
WEBHOOK_URL = "https://bot.example.org/telegram/hook"
START_TIMEOUT = 120.0


def bot_env(fake: FakeBotApi, work: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITATBOT_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url, PYTHONPATH=str(ROOT),
               CITATBOT_FEEDBACK_DB=str(work / "feedback.sqlite3"), PTB_TIMEDELTA="true",
               CITATBOT_WEBHOOK_URL=WEBHOOK_URL, CITATBOT_WEBHOOK_SECRET=SECRET, **settings)
    return env


@dataclass
class Replicas:
    """The running processes; `logs[i]` is replica i's stderr file."""

    work: Path
    ports: list[int]
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    balancer: subprocess.Popen | None = None
    balancer_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.balancer_port}/telegram/hook"

    def kill(self, index: int) -> None:
        """SIGKILL a replica: no answer, no clean-up; its chat locks expire in Redis."""
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait(timeout=10)

    def log(self, index: int) -> str:
        return self.logs[index].read_text(encoding="utf-8", errors="replace")


def register_webhook(fake: FakeBotApi, work: Path) -> subprocess.CompletedProcess:
    """`citatbot webhook set`, once, as a deploy would."""
    return subprocess.run([sys.executable, "-m", "bot", "webhook", "set"], cwd=work,
                          env=bot_env(fake, work), capture_output=True, text=True, timeout=60)


@contextmanager
def replicas_running(fake: FakeBotApi, count: int, redis_url: str, work: Path,
                     connections: int = 40, **settings: str) -> Iterator[Replicas]:
    """Register the webhook, start `count` replicas and the balancer, deliver to it; on leaving,
    SIGTERM every replica still alive and check none failed."""
    done = register_webhook(fake, work)
    assert done.returncode == 0, done.stderr
    replicas = Replicas(work, [free_port() for _ in range(count)])
    try:
        for i, port in enumerate(replicas.ports):
            log = work / f"replica{i}.log"
            env = bot_env(fake, work, CITATBOT_REDIS_URL=redis_url,
                          CITATBOT_WEBHOOK_PORT=str(port), **settings)
            with log.open("w") as err:
                replicas.processes.append(subprocess.Popen(
                    [sys.executable, "-m", "bot", "telegram"], cwd=work, env=env,
                    stdout=subprocess.DEVNULL, stderr=err))
            replicas.logs.append(log)
        replicas.balancer_port = free_port()
        replicas.balancer = subprocess.Popen(
            [sys.executable, "-m", "tests.support.balancer", str(replicas.balancer_port),
             *map(str, replicas.ports)], cwd=ROOT, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        for i, port in enumerate([*replicas.ports, replicas.balancer_port]):
            while not reachable("127.0.0.1", port):
                if i < count and replicas.processes[i].poll() is not None:
                    raise AssertionError(f"replica {i} exited:\n{replicas.log(i)}")
                assert time.monotonic() < deadline, "the replicas did not start"
                time.sleep(0.05)
        fake.deliver_to(replicas.url, connections)
        yield replicas
    finally:
        if fake.delivery:
            fake.delivery.stop()
        for process in replicas.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in replicas.processes]
        if replicas.balancer:
            replicas.balancer.kill()
            replicas.balancer.wait()
    failed = [i for i, code in enumerate(codes) if code not in (0, -signal.SIGKILL)]
    assert not failed, "\n".join(replicas.log(i) for i in failed)
    assert not any(TOKEN in replicas.log(i) for i in range(count))
