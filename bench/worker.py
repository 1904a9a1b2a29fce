"""One Tsunagu worker process of the benchmark (``python -m bench.worker``).

It is what a ``manage.py db_worker`` process does with our tasks, minus the
queue polling: it runs ``scrapers.tasks.fetch_sources`` (the task's own code:
``sources_fetch_many`` over a batch with THREADS threads) on the batches the
benchmark hands out, and ``scrapers.tasks.process_new_items`` on the draft
tasks the fetches enqueued. The process lives through every phase, like a
worker, so its start-up is not timed and its peak RSS covers all of them.

Measuring, without changing the product: ``scrapers.runner.source_fetch_claimed``,
``scrapers.services._parse``, ``items_prepare`` and ``items_save`` (together
"store") and ``polite_get`` are wrapped
to record, per source, the CPU time of the thread that fetched it (and how
much of it went to parsing, storing and the HTTP request with its politeness
bookkeeping).

It talks to bench/ingest.py through bench/protocol.py.
"""

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from bench.protocol import receive, send, usage


class Recorder:
    """Per-source CPU and wall time, from wrappers around the product's
    functions (looked up as module globals, so wrapping them there is enough)."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.records: list[dict] = []
        self.lock = threading.Lock()

    def install(self) -> None:
        from scrapers import runner, services

        fetch = runner.source_fetch_claimed

        def recorded_fetch(*, source: Any, client: Any) -> Any:
            source_id = source.pk
            record = {"id": source_id, "parse": 0.0, "store": 0.0, "get": 0.0}
            record.update(parse_wall=0.0, store_wall=0.0, get_wall=0.0)
            # "save" is the part of "store" inside the write transaction.
            record.update(save=0.0, save_wall=0.0)
            self.local.record = record
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                outcome = fetch(source=source, client=client)
            finally:
                record["cpu"] = time.thread_time() - cpu
                record["wall"] = time.perf_counter() - wall
                self.local.record = None
            record.update(
                result=outcome.result,
                status=outcome.http_status,
                new=len(outcome.new_item_ids),
                updated=outcome.updated,
                error=outcome.error[:300],
            )
            with self.lock:
                self.records.append(record)
            return outcome

        runner.source_fetch_claimed = recorded_fetch
        services._parse = self._timed(services._parse, "parse")
        services.items_prepare = self._timed(services.items_prepare, "store")
        services.items_save = self._timed(services.items_save, "store", "save")
        services.polite_get = self._timed(services.polite_get, "get")

    def _timed(self, function: Callable, *keys: str) -> Callable:
        def timed(*args: Any, **kwargs: Any) -> Any:
            record = getattr(self.local, "record", None)
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                if record is not None:
                    for key in keys:
                        record[key] += time.thread_time() - cpu
                        record[key + "_wall"] += time.perf_counter() - wall

        return timed

    def take(self) -> list[dict]:
        with self.lock:
            records, self.records = self.records, []
        return records


def sources_create(sources: list[dict]) -> list[int]:
    from cms.models import Office
    from scrapers.models import Source

    offices = {office.code: office for office in Office.objects.all()}
    rows = Source.objects.bulk_create(
        Source(
            office=offices[s["office"]],
            name=s["name"],
            url=s["url"],
            language=s["language"],
            fetch_interval_minutes=60,
        )
        for s in sources
    )
    return [row.pk for row in rows]


def draft_tasks(limit: int) -> list[list[int]]:
    """The process_new_items tasks waiting in the queue, oldest first, until
    they hold ``limit`` items."""
    from django_tasks_db.models import DBTaskResult

    tasks, items = [], 0
    waiting = DBTaskResult.objects.filter(
        status="READY", task_path="scrapers.tasks.process_new_items"
    ).order_by("enqueued_at")
    for row in waiting.only("args_kwargs").iterator():
        ids = row.args_kwargs["args"][0]
        tasks.append(ids)
        items += len(ids)
        if items >= limit:
            break
    return tasks


def pull(kind: str) -> Any:
    send({"event": "next"})
    return receive()[kind]


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from scrapers.tasks import fetch_sources, process_new_items

    recorder = Recorder()
    recorder.install()
    send({"event": "ready", "pid": os.getpid(), **usage()})
    while True:
        message = receive()
        command = message["cmd"]
        if command == "sources_create":
            send({"event": "created", "ids": sources_create(message["sources"])})
        elif command == "item_states":
            from django.db.models import Count

            from scrapers.models import Item

            states = Item.objects.values_list("state").annotate(n=Count("id"))
            send({"event": "states", "states": dict(states)})
        elif command == "draft_tasks":
            send({"event": "tasks", "tasks": draft_tasks(message["limit"])})
        elif command in ("fetch", "drafts"):
            sampler = None
            if message.get("profile"):
                from bench.sampler import Sampler

                sampler = Sampler()
                sampler.start()
            before, started = usage(), time.perf_counter()
            done = 0
            if command == "fetch":
                while (batch := pull("batch")) is not None:
                    fetch_sources.call(batch)
                    send({"event": "progress", "sources": len(batch)})
            else:
                while (ids := pull("task")) is not None:
                    done += process_new_items.call(ids)
                    send({"event": "progress", "items": len(ids)})
            connection.close()
            after = usage()
            if sampler:
                sampler.stop()
            send(
                {
                    "event": "done",
                    "pid": os.getpid(),
                    "wall": time.perf_counter() - started,
                    "cpu": after["cpu"] - before["cpu"],
                    "maxrss_kb": after["maxrss_kb"],
                    "children_maxrss_kb": after["children_maxrss_kb"],
                    "drafts": done,
                    "records": recorder.take(),
                    "profile": sampler.report() if sampler else None,
                }
            )
        elif command == "exit":
            send({"event": "bye", **usage()})
            return


if __name__ == "__main__":
    main()
