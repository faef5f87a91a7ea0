"""A `dask worker --preload` for test_dask: the worker process dies (as if the system killed it) on a chunk holding the document "poison"."""
import os

from pipeline.batch import work

if not getattr(work.Engine.process_chunk, "poisoned", False):  # a preload may run more than once in a process
    _original = work.Engine.process_chunk

    def _process_chunk(self, chunk):
        if any(task.doc_id == "poison" for task in chunk.tasks):
            os._exit(1)
        return _original(self, chunk)

    _process_chunk.poisoned = True
    work.Engine.process_chunk = _process_chunk
