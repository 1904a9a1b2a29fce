"""The benchmark's child processes, seen from bench/ingest.py: start them, talk
to them in bench/protocol.py's JSON lines, hand out work, stop them."""

import contextlib
import json
import queue
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 900


class Inbox:
    """Every child's messages, in arrival order (one reader thread per child)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[Child, dict]] = queue.Queue()
        self.stash: list[tuple[Child, dict]] = []

    def put(self, child: "Child", message: dict) -> None:
        self.queue.put((child, message))

    def get(self) -> tuple["Child", dict]:
        try:
            child, message = self.queue.get(timeout=TIMEOUT_SECONDS)
        except queue.Empty:
            raise SystemExit(
                f"No word from any process for {TIMEOUT_SECONDS} s."
            ) from None
        if message["event"] == "died":
            raise SystemExit(
                f"The {child.name} process stopped (exit status "
                f"{child.process.wait()}); the end of its log:\n{child.tail()}"
            )
        return child, message

    def expect(self, child: "Child", events: str | tuple[str, ...]) -> dict:
        """The next message of ``child`` (one of ``events``); others wait."""
        events = (events,) if isinstance(events, str) else events
        for number, (sender, stashed) in enumerate(self.stash):
            if sender is child:
                message = stashed
                del self.stash[number]
                break
        else:
            while True:
                sender, message = self.get()
                if sender is child:
                    break
                self.stash.append((sender, message))
        if message["event"] not in events:
            raise SystemExit(f"{child.name} said {message} instead of {events}.")
        if message["event"] == "ready":
            child.hello = message
        return message


class Child:
    running: ClassVar[list["Child"]] = []

    def __init__(
        self, name: str, module: list[str], env: dict | None, tmp: Path, inbox: Inbox
    ) -> None:
        self.name = name
        self.log_path = tmp / f"{name}.log"
        self.hello: dict = {}
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our interpreter, our module
                [sys.executable, "-m", *module],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        Child.running.append(self)
        threading.Thread(target=self._read, args=(inbox,), daemon=True).start()

    def _read(self, inbox: Inbox) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            inbox.put(self, json.loads(line))
        inbox.put(self, {"event": "died"})

    def send(self, message: dict) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Close its stdin: every child ends when its input does."""
        if self.process.poll() is None and self.process.stdin:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @classmethod
    def stop_all(cls) -> None:
        for child in cls.running:
            child.stop()
        cls.running.clear()


def deal(
    workers: list[Child],
    inbox: Inbox,
    command: str,
    key: str,
    items: list[Any],
    progress: Any,
    *,
    profile: bool = False,
) -> dict:
    """Hand ``items`` out one at a time to whichever worker asks, as a task
    queue would; the workers' final reports and the wall time."""
    import time

    pending = deque(items)
    done: dict[str, dict] = {}
    started = time.perf_counter()
    for worker in workers:
        worker.send({"cmd": command, "profile": profile})
    while len(done) < len(workers):
        child, message = inbox.get()
        event = message["event"]
        if event == "next":
            child.send({key: pending.popleft() if pending else None})
        elif event == "progress":
            progress.add(message.get("sources") or message.get("items") or 0)
        elif event == "done":
            done[child.name] = message
        else:
            raise SystemExit(f"{child.name} said {message} during {command}.")
    return {"wall": time.perf_counter() - started, "workers": list(done.values())}
