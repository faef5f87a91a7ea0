"""Run chunks of documents in this process, on a local process pool, or on an existing Dask cluster.

Pools and Dask get a bounded number of chunks in flight, so the client never
holds the raw bytes of the whole corpus. Dask is imported only when a
scheduler address is given.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, as_completed, wait

from ..config import Config
from .work import Chunk, Engine, Outcome, Snapshot, frozen, process_chunk, warm


class SchedulerUnavailable(Exception):
    """The Dask scheduler cannot be reached (a usage error: wrong address or no cluster)."""


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
        yield from _dask(chunks, Snapshot.of(config), ner, scheduler, timeout)
    elif workers <= 1:
        engine = local_engine(config, ner)
        for chunk in chunks:
            yield engine.process_chunk(chunk)
    else:
        yield from _pool(chunks, Snapshot.of(config), ner, workers)


def _bounded(submit: Callable[[Chunk], Future], chunks: Iterable[Chunk], window: int) -> Iterator[list[Outcome]]:
    """Submit chunks keeping at most ``window`` in flight; yield results as they complete."""
    pending: set[Future] = set()
    for chunk in chunks:
        pending.add(submit(chunk))
        while len(pending) >= window:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    for future in as_completed(pending):
        yield future.result()


def _pool(chunks: Iterable[Chunk], snapshot: Snapshot, ner: bool, workers: int) -> Iterator[list[Outcome]]:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=warm, initargs=(snapshot, ner)) as pool:
        yield from _bounded(lambda chunk: pool.submit(process_chunk, snapshot, ner, chunk), chunks, 2 * workers)


def _dask(chunks: Iterable[Chunk], snapshot: Snapshot, ner: bool, address: str, timeout: float) -> Iterator[list[Outcome]]:
    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        executor = client.get_executor(pure=False)
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        yield from _bounded(lambda chunk: executor.submit(process_chunk, snapshot, ner, chunk), chunks, 2 * workers)
    finally:
        client.close()
