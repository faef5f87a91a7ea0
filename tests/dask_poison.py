"""A `dask worker --preload` for test_dask: the worker process dies (as if the system killed it).

WPX_TEST_KILL says when: on a chunk holding a document whose doc_id contains
it (default "poison"), or, when it is "engine", whenever the worker builds
its engine (as when the model does not fit in memory).
"""
import os

from pipeline.batch import work

if not getattr(work, "_poisoned", False):  # a preload may run more than once in a process
    work._poisoned = True
    _kill = os.environ.get("WPX_TEST_KILL", "poison")
    if _kill == "engine":
        def _engine_for(snapshot, ner):
            os._exit(1)

        work.engine_for = _engine_for
    else:
        _original = work.Engine.process_chunk

        def _process_chunk(self, chunk):
            if any(_kill in task.doc_id for task in chunk.tasks):
                os._exit(1)
            return _original(self, chunk)

        work.Engine.process_chunk = _process_chunk
