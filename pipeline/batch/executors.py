"""Run chunks of documents in this process, on a local process pool, or on an existing Dask cluster.

Pools and Dask get a bounded number of chunks in flight, so the client never
holds the raw bytes of the whole corpus. Dask is imported only when a
scheduler address is given.
"""
from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, as_completed, wait
from dataclasses import replace
from typing import Any

from ..config import Config
from ..records import Misuse
from .code import code_hash
from .work import Chunk, Engine, Outcome, Snapshot, died, engine_ready, frozen, process_chunk, warm


class SchedulerUnavailable(Misuse):
    """The Dask scheduler cannot be reached (a usage error: wrong address or no cluster)."""


class WorkersDie(Exception):
    """Workers (pool or Dask) die before they can take any document, or none is left: no document is to blame, the run cannot go on."""


class SchedulerLost(WorkersDie):
    """The Dask scheduler went away during the run (the shards written so far are kept)."""


WARM_UP_TRIES = 3


def check_address(address: str) -> None:
    """Raise SchedulerUnavailable unless ``address`` reads as PROTOCOL://HOST:PORT.

    Checked before the run touches anything: given a malformed address,
    distributed's Client fails at once but then blocks for a minute while
    it is garbage-collected.
    """
    from urllib.parse import urlsplit

    parts = None
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:  # "tcp://[::1:8786": no URL at all
        port = None
    if parts is None or not parts.scheme or not parts.hostname or port is None:
        raise SchedulerUnavailable(f"{address!r} is no scheduler address; give it as tcp://HOST:PORT")


_LOCAL: dict[tuple[str, str, bool], Engine] = {}


def local_engine(config: Config, ner: bool) -> Engine:
    """Return an engine for this process, reusing the last one built for the same configs and mode."""
    config = frozen(config)
    key = (str(config.root.resolve()), config.hash, ner)
    if key not in _LOCAL:
        _LOCAL.clear()  # keep one model in memory, not one per configs folder ever seen
        _LOCAL[key] = Engine(config, ner)
    return _LOCAL[key]


def run_chunks(chunks: Iterable[Chunk], config: Config, ner: bool, workers: int, scheduler: str | None = None, timeout: float = 30.0) -> Iterator[list[Outcome]]:
    """Yield the outcomes of each chunk as it completes (in any order)."""
    if scheduler:
        yield from _dask(chunks, replace(Snapshot.of(config), code=code_hash()), ner, scheduler, timeout)
    elif workers <= 1:
        engine = local_engine(config, ner)
        for chunk in chunks:
            yield engine.process_chunk(chunk)
    else:
        yield from _pool(chunks, Snapshot.of(config), ner, workers)


def _bounded(submit: Callable[[Chunk], Future], chunks: Iterable[Chunk], window: int, lost: list[Chunk] | None = None) -> Iterator[list[Outcome]]:
    """Submit chunks keeping at most ``window`` in flight; yield results as they complete.

    When a submit or a result raises, ``lost`` receives every chunk sent
    whose result was not yielded (the failing one included) before the
    exception goes on.
    """
    pending: dict[Future, Chunk] = {}

    def losing(extra: list[Chunk]) -> None:
        if lost is not None:
            lost.extend([*pending.values(), *extra])

    def results(futures: Iterable[Future]) -> Iterator[list[Outcome]]:
        for future in futures:
            try:
                result = future.result()
            except BaseException:
                losing([])
                raise
            del pending[future]
            yield result

    for chunk in chunks:
        try:
            future = submit(chunk)  # a broken pool raises here too
        except BaseException:
            losing([chunk])
            raise
        pending[future] = chunk
        while len(pending) >= window:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            yield from results(done)
    yield from results(as_completed(list(pending)))


def _pool(chunks: Iterable[Chunk], snapshot: Snapshot, ner: bool, workers: int) -> Iterator[list[Outcome]]:
    """Run chunks on a local process pool; a worker that dies (the system kills it, native code crashes) costs only its document.

    The chunks in flight when a worker died are run again one document at
    a time on a one-worker pool, so the document that kills its worker is
    known (_one_by_one): it gets an errors.jsonl record and the others their results.
    Then the pool starts afresh for the chunks not yet sent.
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    source = iter(chunks)
    while True:
        lost: list[Chunk] = []
        try:
            with ProcessPoolExecutor(max_workers=workers, initializer=warm, initargs=(snapshot, ner)) as pool:
                yield from _bounded(lambda chunk: pool.submit(process_chunk, snapshot, ner, chunk), source, 2 * workers, lost)
            return
        except BrokenProcessPool:
            pass
        yield from _one_by_one(_documents_of(lost), snapshot, ner)


def _one_by_one(suspects: list[Chunk], snapshot: Snapshot, ner: bool) -> Iterator[list[Outcome]]:
    """Run one-document chunks one at a time on a one-worker pool; a document that kills its worker twice fails alone.

    The worker is asked for its pid before each document, so a worker that
    dies while it loads the model or while idle blames no document; a death
    during the document is blamed only when it happens again in a fresh
    worker (a kill by the system at that moment may be chance).
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    queue = deque(suspects)
    deaths = idle_deaths = 0
    while queue:
        running = False
        try:
            with ProcessPoolExecutor(max_workers=1, initializer=warm, initargs=(snapshot, ner)) as pool:
                while queue:
                    pool.submit(os.getpid).result()  # the worker is up and warm
                    idle_deaths = 0
                    future = pool.submit(process_chunk, snapshot, ner, queue[0])
                    running = True
                    result = future.result()
                    running, deaths = False, 0
                    queue.popleft()
                    yield result
        except BrokenProcessPool:
            if not running:
                idle_deaths += 1
                if idle_deaths == WARM_UP_TRIES:
                    raise WorkersDie(f"a worker process died {WARM_UP_TRIES} times in a row before it could take a document (while it loaded "
                                     "the model: out of memory?); try --workers 1, or free memory") from None
                continue
            deaths += 1
            if deaths == 2:
                deaths = 0
                yield died(queue.popleft())


def _dask(chunks: Iterable[Chunk], snapshot: Snapshot, ner: bool, address: str, timeout: float) -> Iterator[list[Outcome]]:
    """Run chunks on a Dask cluster with the client's own futures.

    Not ``client.get_executor()``: its futures never complete when a result
    is fetched after its worker died and the rescheduled task then ends in
    KilledWorker (an exception escapes the executor's callback; a reviewer's
    runs hung in 1 of 12).
    """
    import logging
    from concurrent.futures import CancelledError

    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    quiet = logging.getLogger("distributed.client")
    level = quiet.level
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        yield from _surviving(lambda chunk: client.submit(process_chunk, snapshot, ner, chunk, pure=False),
                              lambda: client.submit(engine_ready, snapshot, ner, pure=False), chunks, 2 * workers, _first_done(client, address, timeout))
    except CancelledError:  # the client cancels what is in flight when it loses the scheduler
        quiet.setLevel(logging.CRITICAL)  # closing cancels the client's reconnection, which logs a traceback
        raise SchedulerLost(f"lost the Dask scheduler at {address} during the run; the documents done so far are kept: run again") from None
    finally:
        client.close()
        quiet.setLevel(level)


FETCH_SECONDS = 10.0  # a settled future's result arrives at once, unless its worker died meanwhile
SETTLED = frozenset({"finished", "error", "cancelled"})  # Dask future states whose result() returns or raises at once


def _first_done(client: Any, address: str, patience: float) -> Callable[[Iterable[Any]], set[Any]]:
    """Return a wait for the first of some Dask futures to finish that gives up when the cluster has had no worker for ``patience`` seconds.

    Dask gives up on a task only after several worker deaths; when every
    worker is gone (no nanny restarts them), nothing ever finishes.
    """
    from distributed import wait as dask_wait

    def first_done(futures: Iterable[Any]) -> set[Any]:
        futures = list(futures)
        alone_since = None
        while True:
            try:
                with client.as_current():  # the run's client is not the default one
                    done = dask_wait(futures, timeout=min(5.0, patience), return_when="FIRST_COMPLETED").done
                settled = {future for future in done if future.status in SETTLED}
                if settled:
                    return settled
                time.sleep(0.5)  # "lost" (its worker died, no worker left) counts as done for wait, but its result would block
            except TimeoutError:
                pass
            if client.scheduler_info().get("workers"):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since >= patience:
                raise WorkersDie(f"the Dask cluster at {address} has had no worker for {patience:g} s (did they die? without a nanny nothing restarts "
                                 "them); the documents done so far are kept: start workers and run again")

    return first_done


def _surviving(submit: Callable[[Chunk], Any], ready: Callable[[], Any], chunks: Iterable[Chunk], window: int,
               first_done: Callable[[Iterable[Any]], set[Any]]) -> Iterator[list[Outcome]]:
    """Submit chunks to Dask keeping at most ``window`` in flight; a chunk whose workers all died costs only the document that kills them.

    Dask runs a task again on another worker when its worker dies, and gives
    up with KilledWorker after `distributed.scheduler.allowed-failures` more
    deaths (3 by default). A death counts against every task the worker
    held, queued ones too, so a KilledWorker does not say which document is
    to blame: the documents of such chunks become suspects. Once the chunks
    in flight are done, each suspect runs alone among this run's tasks
    (_one_at_a_time), and only a suspect Dask gives up on while it runs alone
    is blamed. Any other exception ends the run, as in _bounded.
    """
    from distributed import KilledWorker

    source = iter(chunks)
    suspects: deque[Chunk] = deque()
    pending: dict[Any, Chunk] = {}
    while True:
        while not suspects and len(pending) < window and (chunk := next(source, None)) is not None:
            pending[submit(chunk)] = chunk
        if not pending:
            if not suspects:
                return
            yield from _one_at_a_time(suspects, submit, ready, first_done)
            continue
        for future in first_done(pending):
            try:
                result = future.result(timeout=FETCH_SECONDS)
            except TimeoutError:
                continue  # its worker died before the result was fetched: Dask runs it again (first_done stops when no worker is left)
            except KilledWorker:
                suspects.extend(_documents_of([pending.pop(future)]))
                continue
            del pending[future]
            yield result


def _one_at_a_time(suspects: deque[Chunk], submit: Callable[[Chunk], Any], ready: Callable[[], Any],
                   first_done: Callable[[Iterable[Any]], set[Any]]) -> Iterator[list[Outcome]]:
    """Run one-document chunks one after the other with nothing else of this run in flight; blame a document Dask gives up on.

    Before each, a worker must build its engine (``ready``): when Dask gives
    up on that, workers die whatever the document (out of memory while the
    model loads) and the run stops instead of blaming every document.
    """
    from distributed import KilledWorker

    def outcome(future: Any) -> Any:
        while True:
            first_done([future])
            try:
                return future.result(timeout=FETCH_SECONDS)
            except TimeoutError:
                continue  # see _surviving

    while suspects:
        try:
            outcome(ready())
        except KilledWorker:
            raise WorkersDie("the Dask workers die before they can take a document (while they load the model: out of memory?); "
                             "give them more memory, then run again") from None
        chunk = suspects.popleft()
        try:
            result = outcome(submit(chunk))
        except KilledWorker:
            result = died(chunk)
        yield result


def _documents_of(chunks: list[Chunk]) -> list[Chunk]:
    """Split chunks into one-document chunks."""
    return [Chunk(chunk.raw_name, (task,)) for chunk in chunks for task in chunk.tasks]
