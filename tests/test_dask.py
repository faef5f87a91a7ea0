"""`wpx run --scheduler`: a real Dask scheduler and two workers on 127.0.0.1 give the bytes of a local run."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline import batch

from .batch_fixtures import outputs
from .conftest import GENRE, REPO

DASK = REPO / ".venv" / "bin" / "dask"


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def _cluster(folder: Path, *worker_options: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start `dask scheduler` and two `dask worker` processes (random ports) logging into ``folder``; yield the scheduler address."""
    scheduler_file = folder / "scheduler.json"
    common = {"cwd": REPO, "stdout": subprocess.DEVNULL, "stderr": open(folder / "dask.log", "wb"), "env": {**os.environ, **(env or {})}}
    processes = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)], **common)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            assert processes[0].poll() is None, (folder / "dask.log").read_text(errors="replace")
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        for index in range(2):
            processes.append(subprocess.Popen([str(DASK), "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                                               "--name", f"w{index}", "--local-directory", str(folder / f"w{index}"), *worker_options], **common))
        from distributed import Client

        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        _stop(processes[1:])
        _stop(processes[:1])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with _cluster(tmp_path_factory.mktemp("dask")) as address:
        yield address


def test_dask_run_equals_local_run(cluster, tmp_path, config):
    raw = GENRE / "dev" / "raw"
    local = batch.run(raw, tmp_path / "local", config, workers=1)
    remote = batch.run(raw, tmp_path / "dask", config, scheduler=cluster)
    assert remote.processed == local.processed == 5
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
    assert (tmp_path / "dask" / "manifest.json").read_bytes() == (tmp_path / "local" / "manifest.json").read_bytes()
    assert batch.run(raw, tmp_path / "dask", config, scheduler=cluster).processed == 0


def test_dask_run_reports_bad_files_like_a_local_run(cluster, tmp_path, config):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "broken.txt").write_bytes(b"\x00" * 16)
    (raw / "ok.txt").write_text("Full text: A paper\n\nChina joined the Nuclear Suppliers Group in 2004.\n", encoding="utf-8")
    summary = batch.run(raw, tmp_path / "out", config, scheduler=cluster)
    assert summary.failed == 1 and [e["doc_id"] for e in summary.errors] == ["broken"]
    batch.run(raw, tmp_path / "local", config)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "local")


def test_dask_workers_running_other_code_stop_the_run(cluster, tmp_path, config, monkeypatch):
    """Workers that loaded other code (an upgrade, or modules loaded before an edit) would label their outputs with the client's hash."""
    from pipeline.batch import code
    from pipeline.batch.work import OtherCode

    monkeypatch.setattr(code, "_FIXED", {"sources": "", "code_hash": "e" * 64})  # a client running edited code
    with pytest.raises(OtherCode, match="restart the workers"):
        batch.run(GENRE / "dev" / "raw", tmp_path / "out", config, ner=False, scheduler=cluster)


def _raw_with_poison(tmp_path: Path) -> tuple[Path, Path]:
    """Return a raw folder of 11 documents whose first (in doc_id order) kills its worker, and the same folder without it."""
    raw, clean = tmp_path / "raw", tmp_path / "clean" / "raw"  # one folder name: it is part of source_path
    clean.mkdir(parents=True)
    for path in sorted((GENRE / "dev" / "raw").iterdir()):
        shutil.copy(path, clean / path.name)
        shutil.copy(path, clean / f"copy_{path.name}")
    shutil.copytree(clean, raw)
    shutil.copy(sorted(raw.iterdir())[0], raw / "0poison.txt")  # first: the chunks queued behind it meet the deaths too
    return raw, clean


def test_a_document_that_kills_its_dask_workers_fails_alone(tmp_path, config):
    """Dask gives up on a task whose workers all die (KilledWorker), and on tasks queued behind it: their documents run again
    one at a time, alone on the cluster, and only the culprit fails."""
    raw, clean = _raw_with_poison(tmp_path)
    (tmp_path / "dask").mkdir()
    with _cluster(tmp_path / "dask", "--preload", str(REPO / "tests" / "dask_poison.py")) as address:
        summary = batch.run(raw, tmp_path / "out", config, ner=False, scheduler=address, workers=2)
    assert summary.processed == 11 and summary.failed == 1
    assert [(e["doc_id"], e["stage"], e["error"]) for e in summary.errors] == [("0poison", "worker", "WorkerDied")]
    batch.run(clean, tmp_path / "local", config, ner=False)
    remote, local = outputs(tmp_path / "out"), outputs(tmp_path / "local")
    assert all(remote[name] == local[name] for name in ("documents.jsonl", "segments.jsonl", "mentions.jsonl")) and remote["mentions.jsonl"]


def test_dask_workers_that_die_whatever_the_document_stop_the_run(tmp_path, config):
    """Workers that die while they build the engine (out of memory) blame no document: the run stops with a message."""
    raw, _ = _raw_with_poison(tmp_path)
    (tmp_path / "dask").mkdir()
    with _cluster(tmp_path / "dask", "--preload", str(REPO / "tests" / "dask_poison.py"), env={"WPX_TEST_KILL": "engine"}) as address:
        with pytest.raises(batch.WorkersDie, match="before they can take a document"):
            batch.run(raw, tmp_path / "out", config, ner=False, scheduler=address, workers=2)
    assert not (tmp_path / "out" / "errors.jsonl").exists() or "WorkerDied" not in (tmp_path / "out" / "errors.jsonl").read_text()


def test_losing_the_scheduler_mid_run_is_a_message_not_a_traceback(cluster, tmp_path, config, monkeypatch):
    """The client cancels what is in flight when the scheduler goes away (a reviewer killed it: a CancelledError traceback)."""
    from concurrent.futures import CancelledError

    from pipeline.batch import executors

    def cancelled(*args, **kwargs):
        raise CancelledError()
        yield  # a generator, as _surviving is

    monkeypatch.setattr(executors, "_surviving", cancelled)
    with pytest.raises(executors.SchedulerLost, match="lost the Dask scheduler at .* run again"):
        batch.run(GENRE / "dev" / "raw", tmp_path / "out", config, ner=False, scheduler=cluster)
    assert issubclass(executors.SchedulerLost, batch.WorkersDie)  # the CLI shows WorkersDie as a message, exit 1


def test_a_cluster_left_without_workers_stops_the_run(tmp_path):
    """Workers with no nanny to restart them, killed by a document: nothing would ever finish; after [batch] scheduler_timeout the run stops."""
    from pipeline.config import load_config

    configs = Path(shutil.copytree(REPO / "configs", tmp_path / "configs"))
    toml = configs / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("scheduler_timeout = 30.0", "scheduler_timeout = 3.0"), encoding="utf-8")
    raw, _ = _raw_with_poison(tmp_path)
    (tmp_path / "dask").mkdir()
    with _cluster(tmp_path / "dask", "--no-nanny", "--preload", str(REPO / "tests" / "dask_poison.py")) as address:
        started = time.monotonic()
        with pytest.raises(batch.WorkersDie, match="no worker for 3 s"):
            batch.run(raw, tmp_path / "out", load_config(configs), ner=False, scheduler=address, workers=2)
        assert time.monotonic() - started < 60
