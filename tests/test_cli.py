from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

from .conftest import REPO


def invoke(*args):
    return CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), *args])


def test_run_writes_outputs_and_is_byte_identical(raw_dir, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke("run", str(raw_dir), "--out", str(first)).exit_code == 0
    assert invoke("run", str(raw_dir), "--out", str(second)).exit_code == 0
    for name in ("documents.jsonl", "segments.jsonl"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert (first / name).stat().st_size > 0


def test_bad_input_exit_code_and_stderr(raw_dir, tmp_path):
    (raw_dir / "broken.txt").write_bytes(b"\x00\x00\x00")
    result = invoke("run", str(raw_dir), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "raw/broken.txt" in result.output and "binary file" in result.output
    assert (tmp_path / "o" / "documents.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_config_error_is_exit_2(raw_dir, tmp_path):
    result = CliRunner().invoke(cli, ["--configs", str(tmp_path / "missing"), "run", str(raw_dir)])
    assert result.exit_code == 2
    assert "configuration folder not found" in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example: wpx" in result.output


def test_console_script_is_installed():
    exe = REPO / ".venv" / "bin" / "wpx"
    target = [str(exe)] if exe.exists() else [sys.executable, "-m", "pipeline.cli"]
    out = subprocess.run([*target, "--version"], capture_output=True, text=True, check=True)
    assert "wpx" in out.stdout
