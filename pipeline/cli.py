"""The wpx command line: one click group, one thin command per stage.

Exit codes: 0 all documents processed; 1 some documents failed (see
errors.jsonl); 2 usage or configuration error.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import Config, ConfigError, load_config
from .records import DOCUMENTS, INGEST_WARNING, SEGMENTS, BadInput, BadRecord, Misuse, exclusive

# Stage modules import spaCy (over a second), so commands import them when they
# run: `wpx run` with nothing to redo then answers in a fraction of a second.

OUT_HELP = "Output folder (created if missing)."
QUIET_HELP = "No progress line (it is shown only when stderr is a terminal anyway)."


class UsageError(click.ClickException):
    exit_code = 2


class OutFolder(click.Path):
    """An output folder's path; an empty one (an unset shell variable: --out "$OUT") is a usage error, not the current folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path (an unset variable?); give the output folder", param, ctx)
        return super().convert(value, param, ctx)


OUT_FOLDER = OutFolder(file_okay=False, path_type=Path)


def usable_cores() -> int:
    """Return how many CPUs this process may run on (its affinity: a container or `taskset` may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _config(ctx: click.Context) -> Config:
    return load_config(ctx.obj["configs"])


def _finish(errors: list[dict[str, Any]], summary: str) -> None:
    """Print per-file errors and the summary on stderr; exit 1 when any document failed."""
    for error in errors:  # the type too: a KeyError's message alone is only the key ("[relate] 'start'")
        click.echo(f"wpx: error: {error.get('source_path') or error.get('doc_id')}: [{error['stage']}] {error['error']}: {error['message']}", err=True)
    click.echo(summary, err=True)
    if errors:
        sys.exit(1)


def _stage(out_dir: Path, func, *args):
    """Run a stage writing into ``out_dir`` while holding the folder; a folder made for a stage that failed before writing is removed."""
    # what exclusive() will create, deepest first: "new/../old" exists when old does, so each path is resolved first
    made = [folder for folder in (out_dir, *out_dir.parents) if not os.path.exists(os.path.realpath(folder))]
    try:
        with exclusive(out_dir):
            return func(*args)
    except Exception:
        for folder in made:  # `wpx segment --out typo` leaves no empty folder behind
            if not folder.is_dir() or next(folder.iterdir(), None) is not None:
                break
            folder.rmdir()
        raise


class _Commands(click.Group):
    """The wpx group: a configuration error, a misuse, a damaged or missing input, a folder that cannot be written: a message, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadInput as exc:
            raise click.ClickException(f"{exc}; fix the line or regenerate the file" if isinstance(exc, BadRecord) else str(exc)) from None
        except (ConfigError, Misuse) as exc:
            raise UsageError(str(exc)) from None
        except FileNotFoundError as exc:  # an input an earlier stage writes is missing
            raise UsageError(f"{exc.filename}: no such file; run the stage that writes it first" if exc.filename else str(exc)) from None
        except OSError as exc:  # a folder that cannot be written (read-only, full disk, no permission)
            raise click.ClickException(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wpx")
@click.option("--configs", type=click.Path(file_okay=False, path_type=Path), default="configs", show_default=True, envvar="WPX_CONFIGS", help="Configuration folder (patterns, registries, settings).")
@click.pass_context
def cli(ctx: click.Context, configs: Path) -> None:
    """Turn white papers into normalized, provenance-carrying JSONL datasets.

    Example: wpx run raw --out extracted
    """
    ctx.ensure_object(dict)["configs"] = configs


@cli.command("ingest")
@click.argument("raw_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=OUT_FOLDER, default="extracted", show_default=True, help=OUT_HELP)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@click.pass_context
def ingest_command(ctx: click.Context, raw_dir: Path, out_dir: Path, quiet: bool) -> None:
    """Decode every file of RAW_DIR into OUT/documents.jsonl.

    Example: wpx ingest raw --out extracted
    """
    from . import ingest
    from .progress import enabled

    result = _stage(out_dir, ingest.run, raw_dir, out_dir, _config(ctx), enabled(quiet))
    from .batch.progress import warned

    failed = sum(1 for error in result.errors if error["error"] != INGEST_WARNING)  # a warning's document was written
    _finish(result.errors, f"wpx ingest: {result.written} documents written, {failed} failed{warned(result.errors)}")


@cli.command("list-raw")
@click.argument("raw_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=OUT_FOLDER, default="extracted", show_default=True, help="The output folder (left out of the listing when it lies in RAW_DIR).")
@click.pass_context
def list_raw_command(ctx: click.Context, raw_dir: Path, out_dir: Path) -> None:
    """Print the files of RAW_DIR that ingest reads, one JSON array per line: path, size, modification time (ns), real path.

    A broken link prints [path, "->", its target].

    The Makefile compares this listing with the last one to rerun ingest
    when a raw file is added, changed, renamed, deleted or re-linked.

    Example: wpx list-raw raw --out extracted > extracted/.raw-files
    """
    from . import ingest

    for line in ingest.listing(raw_dir, _config(ctx), out_dir):
        click.echo(line)


@cli.command("segment")
@click.option("--out", "out_dir", type=OUT_FOLDER, default="extracted", show_default=True, help=OUT_HELP)
@click.option("--documents", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None, help="documents.jsonl to read ('-' for stdin); default OUT/documents.jsonl.")
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@click.pass_context
def segment_command(ctx: click.Context, out_dir: Path, documents: Path | None, quiet: bool) -> None:
    """Split documents into title, boilerplate, sections, paragraphs and sentences (OUT/segments.jsonl).

    Example: wpx segment --out extracted
    """
    from . import segment
    from .progress import enabled

    result = _stage(out_dir, segment.run, documents or out_dir / DOCUMENTS, out_dir, _config(ctx), enabled(quiet))
    _finish(result.errors, f"wpx segment: {result.written} segments written, {len(result.errors)} documents failed")


NER_HELP = "Use the statistical model (--no-ner: rules only, no model at all: fast, but no engagements)."


@cli.command("extract")
@click.option("--out", "out_dir", type=OUT_FOLDER, default="extracted", show_default=True, help=OUT_HELP)
@click.option("--ner/--no-ner", default=True, show_default=True, help=NER_HELP)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@click.pass_context
def extract_command(ctx: click.Context, out_dir: Path, ner: bool, quiet: bool) -> None:
    """Extract normalized mentions from content segments (OUT/mentions.jsonl, OUT/parses/).

    Reads OUT/documents.jsonl and OUT/segments.jsonl.

    Example: wpx extract --out extracted
    """
    from . import extract
    from .progress import enabled

    result = _stage(out_dir, extract.run, (out_dir / DOCUMENTS, out_dir / SEGMENTS), out_dir, _config(ctx), ner, enabled(quiet))
    _finish(result.errors, f"wpx extract: {result.written} mentions written, {len(result.errors)} documents failed")


@cli.command("relate")
@click.option("--out", "out_dir", type=OUT_FOLDER, default="extracted", show_default=True, help=OUT_HELP)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@click.pass_context
def relate_command(ctx: click.Context, out_dir: Path, quiet: bool) -> None:
    """Find engagements (who engaged with whom, how, how often, when, where) -> OUT/relations.jsonl.

    Reads OUT/documents.jsonl, segments.jsonl, mentions.jsonl and parses/.

    Example: wpx relate --out extracted
    """
    from . import relate
    from .progress import enabled

    result = _stage(out_dir, relate.run, out_dir, _config(ctx), enabled(quiet))
    skipped = f"; {result.skipped} documents extracted rules-only (--no-ner): no engagements without a dependency parse" if result.skipped else ""
    _finish(result.errors, f"wpx relate: {result.written} engagements written, {len(result.errors)} documents failed{skipped}")


@cli.command("run")
@click.argument("raw_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=OUT_FOLDER, default="extracted", show_default=True, help=OUT_HELP)
@click.option("--ner/--no-ner", default=True, show_default=True, help=NER_HELP)
@click.option("--workers", type=click.IntRange(min=1), default=None, help=f"Worker processes, each loading the model once (default: the cores this process may use, here {usable_cores()}).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None, help="Run on this existing Dask cluster instead of local processes (outputs are written here).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (it is shown only when stderr is a terminal anyway).")
@click.pass_context
def run_command(ctx: click.Context, raw_dir: Path, out_dir: Path, ner: bool, workers: int | None, scheduler: str | None, quiet: bool) -> None:
    """Run every stage: RAW_DIR -> OUT, redoing only documents whose files, configs or version changed.

    OUT/manifest.json records what each document was built from and
    OUT/.shards/ holds each document's records; a killed run resumes where
    it stopped. Ends with one summary line on stderr.

    Example: wpx run raw --out extracted --workers 2
    """
    from . import batch
    from .progress import enabled

    config = _config(ctx)
    try:
        summary = batch.run(raw_dir, out_dir, config, ner=ner, workers=workers or usable_cores(), scheduler=scheduler, progress=enabled(quiet))
    except batch.WorkersDie as exc:
        raise click.ClickException(str(exc)) from None
    _finish(summary.errors, summary.line())


# --- consumer commands: tables, validation, dataset card, stats, review pages ---
# Their modules import pandas/pyarrow, so they are imported inside the commands to
# keep `wpx ingest` and friends quick to start. Exit codes: EXIT_CODES (validate: 1 also
# when a record breaks its schema).

OUT_DIR_ARG = click.Path(exists=True, file_okay=False, path_type=Path)
EXIT_CODES = "Exit codes: 0 done; 1 a damaged input file (file:line: reason); 2 a missing input file or folder{also}."


def _require_documents(out_dir: Path, consistent: bool = True) -> None:
    """Refuse a folder without documents.jsonl or, with ``consistent``, one whose files were not made from one another."""
    if not (out_dir / DOCUMENTS).exists():
        raise UsageError(f"{out_dir / DOCUMENTS} not found; run `wpx run RAW --out {out_dir}` first")
    if consistent:
        _consistent(out_dir)


def _consistent(out_dir: Path) -> None:
    """Refuse a folder whose JSONL files were not made from one another (lineage.py): its tables and scores would mix versions."""
    from . import lineage

    lineage.check_folder(out_dir)


@cli.command("engagements", epilog=EXIT_CODES.format(also=""))
@click.argument("out_dir", type=OUT_DIR_ARG)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None, help="Also write the table as CSV ('-' for stdout only).")
def engagements_command(out_dir: Path, csv_path: Path | None) -> None:
    """Print one row per (counterpart, activity): engagements, total count, years, documents.

    Example: wpx engagements extracted
    """
    from .engagements import summary

    _consistent(out_dir)
    table = summary(out_dir)  # a missing relations.jsonl: _Commands makes it a usage error naming the file
    if csv_path is not None and str(csv_path) == "-":
        click.echo(table.to_csv(index=False), nl=False)
        return
    if csv_path is not None:
        table.to_csv(csv_path, index=False)
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_colwidth", 60, "display.width", 200):
        click.echo(table.to_string(index=False))


@cli.command("evaluate", epilog=EXIT_CODES.format(also=", or a gold folder without gold mentions"))
@click.option("--gold", "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True, help="Folder of <doc>.mentions.jsonl (and <doc>.relations.jsonl) gold files.")
@click.option("--pred", "pred_dir", type=OUT_DIR_ARG, default="extracted", show_default=True, help="Output folder to score.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of tables.")
@click.option("--quiet-errors", is_flag=True, help="Print only the score tables, not the misses and extras.")
def evaluate_command(gold_dir: Path, pred_dir: Path, as_json: bool, quiet_errors: bool) -> None:
    """Score OUT against gold: per-label P/R/F1 for spans and span+norm, micro average, misses and extras.

    Example: wpx evaluate --gold ../shared/gold --pred extracted
    """
    import json

    from .evaluate import NoGold, evaluate, format_report

    _consistent(pred_dir)
    try:
        report = evaluate(gold_dir, pred_dir)
    except NoGold as exc:
        raise UsageError(str(exc)) from None
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if as_json else format_report(report, not quiet_errors))


@cli.command("export", epilog=EXIT_CODES.format(also=""))
@click.argument("out_dir", type=OUT_DIR_ARG)
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True, help="Table file format.")
@click.option("--tables", "tables_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder for the tables; default OUT_DIR/tables.")
@click.option("--card", "card_dest", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="Where to write the dataset card ('-' for stdout); default OUT_DIR/DATASET.md.")
@click.pass_context
def export_command(ctx: click.Context, out_dir: Path, fmt: str, tables_dir: Path | None, card_dest: Path | None) -> None:
    """Write OUT_DIR's records as typed tables (OUT_DIR/tables/*.parquet or *.csv) and OUT_DIR/DATASET.md.

    Tables whose input file is missing (no relations.jsonl yet) are skipped with a note.
    With --tables and --card elsewhere, OUT_DIR is only read (a shared, read-only dataset folder).

    Example: wpx export extracted --format parquet

    Example: wpx export /data/wp --tables ~/wp-tables --card ~/wp-tables/DATASET.md
    """
    from . import card, export

    _require_documents(out_dir)
    facts = card.Facts.start(out_dir)  # the card's counts, gathered while the tables are written
    result = export.export(out_dir, tables_dir, fmt, ctx.obj["configs"], feeds=facts.feeds())
    facts.finish(out_dir)
    if str(card_dest) == "-":
        click.echo(card.render(out_dir, ctx.obj["configs"], facts), nl=False)
        card_path: Path | str = "on stdout"
    else:
        card_path = card.write_card(out_dir, ctx.obj["configs"], dest=card_dest, facts=facts)
    for note in result.notes:
        click.echo(f"wpx export: note: {note}", err=True)
    click.echo(f"wpx export: {len(result.written)} tables written to {(tables_dir or out_dir / 'tables')}; card {card_path}", err=True)


@cli.command("validate", epilog=EXIT_CODES.format(also=""))
@click.argument("out_dir", type=OUT_DIR_ARG)
def validate_command(out_dir: Path) -> None:
    """Check every JSONL record against its JSON Schema and the offset invariant; print file:line: reason.

    Exits 1 when any record fails, 2 when OUT_DIR has no documents.jsonl.

    Example: wpx validate extracted
    """
    from .validate import validate

    _require_documents(out_dir, consistent=False)  # validate reports files that do not belong together as a failure
    report = validate(out_dir)
    for failure in report.failures:
        click.echo(str(failure))
    checked = ", ".join(f"{name} {count}" for name, count in report.checked.items())
    missing = f"; not present: {', '.join(report.missing)}" if report.missing else ""
    click.echo(f"wpx validate: checked {checked or 'nothing'}{missing}; {len(report.failures)} failures", err=True)
    if not report.ok:
        sys.exit(1)


@cli.command("card", epilog=EXIT_CODES.format(also=""))
@click.argument("out_dir", type=OUT_DIR_ARG)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None, help="Where to write the card ('-' for stdout); default OUT_DIR/DATASET.md.")
@click.pass_context
def card_command(ctx: click.Context, out_dir: Path, output: Path | None) -> None:
    """Write the dataset card (tables, labels, versions, counts, how to cite) as OUT_DIR/DATASET.md.

    Example: wpx card extracted
    """
    from . import card

    _require_documents(out_dir)
    if str(output) == "-":
        click.echo(card.render(out_dir, ctx.obj["configs"]), nl=False)
        return
    click.echo(f"wpx card: wrote {card.write_card(out_dir, ctx.obj['configs'], dest=output)}", err=True)


@cli.command("stats", epilog=EXIT_CODES.format(also=""))
@click.argument("out_dir", type=OUT_DIR_ARG)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many counterparts to list.")
@click.pass_context
def stats_command(ctx: click.Context, out_dir: Path, top: int) -> None:
    """Print summary tables: mentions per label per document, top counterparts, engagements per activity.

    Example: wpx stats extracted --top 5
    """
    from . import stats

    _require_documents(out_dir)
    click.echo(stats.report(out_dir, ctx.obj["configs"], top), nl=False)


@cli.command("review", epilog=EXIT_CODES.format(also=", or a doc_id not in documents.jsonl"))
@click.argument("out_dir", type=OUT_DIR_ARG)
@click.option("--doc", "doc_id", required=True, help="doc_id of the document to show.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None, help="HTML file to write ('-' for stdout); default OUT_DIR/review/DOC_ID.html.")
@click.pass_context
def review_command(ctx: click.Context, out_dir: Path, doc_id: str, output: Path | None) -> None:
    """Write a self-contained HTML page of one document with its mentions highlighted and its engagements.

    Example: wpx review extracted --doc 000_4a35c3bd115817cb
    """
    from . import review

    _require_documents(out_dir)
    try:
        if str(output) == "-":
            click.echo(review.render(out_dir, doc_id, ctx.obj["configs"]), nl=False)
            return
        path = review.write_review(out_dir, doc_id, output, ctx.obj["configs"])
    except review.UnknownDocument as exc:
        raise UsageError(str(exc)) from None
    click.echo(f"wpx review: wrote {path}", err=True)


if __name__ == "__main__":  # python -m pipeline.cli
    cli()
