"""`make bench` (python -m pipeline.bench): build the corpus, measure, print figures and ratios, write JSON.

Targets: full >= 0.85x bare nlp.pipe (single process; the two are measured
alternately, [bench] rounds times, and the fastest of each compared, so a
change in a shared machine's load does not fall on one side); N=2 workers >= 1.7x
one worker; rules-only >= 200,000 words/s (``wpx run --no-ner`` in process; the
rules-only pipeline's bare nlp.pipe, the same run with its rule components
replayed at no cost, and each run's seconds by stage are printed to show
where the time goes); no-op rerun over 1,000 documents < 2 s; peak RSS at x10 the
corpus within 1.2x of x1, for `wpx run` and for each stage command (`make
extract`). Figures are printed as measured; nothing here fails on a missed
target.

--out is replaced by each run, but only when it is missing, empty or an
earlier bench output (marked by a .wpx-bench file); the corpus sources are
found under --sources-root (default: the folder holding --configs), and too
few of them stop the bench before anything is written.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..config import ConfigError, load_config
from . import corpus, measure, output


def parser() -> argparse.ArgumentParser:
    built = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.splitlines()[0])
    built.add_argument("--configs", type=Path, default=Path("configs"), metavar="DIR",
                       help="configuration folder; its pipeline.toml [bench] sets the corpus (default: configs)")
    built.add_argument("--out", type=Path, default=Path("bench/out"), metavar="DIR",
                       help="output folder (default: bench/out). REPLACED by each run: the bench's entries of an earlier "
                            "run there (corpus/, small/, big/, o-*/, bench.json) are deleted first. Only a missing or empty "
                            f"folder or an earlier bench output (it carries a {output.MARKER} file) is accepted; any other "
                            "non-empty folder is refused and left untouched")
    built.add_argument("--sources-root", type=Path, default=None, metavar="DIR",
                       help="folder the corpus sources ([bench] sources of pipeline.toml: raw/*.txt and the genre "
                            "fixtures' raw files) are relative to (default: the folder holding --configs, the project "
                            "root, wherever the bench is run from). The bench stops if they give too few paragraphs for "
                            "distinct documents")
    return built


def main() -> None:
    cli = parser()
    args = cli.parse_args()
    try:
        config = load_config(args.configs)
    except ConfigError as exc:
        cli.error(str(exc))
    settings = config.section("bench")
    root = args.sources_root if args.sources_root is not None else args.configs.absolute().parent
    span = tuple(settings["paragraphs_per_document"])
    seed = int(settings["seed"])
    try:  # both checked before anything is deleted or written
        output.check(args.out)
        blocks = corpus.load(root, settings["sources"], span)
    except (output.OutError, corpus.SourcesError) as exc:
        cli.error(str(exc))
    for entry in output.prepare(args.out):
        print(f"bench: left in place in --out (not the bench's): {entry}", flush=True)
    main_raw, small_raw, big_raw = args.out / "corpus" / "raw", args.out / "small" / "raw", args.out / "big" / "raw"
    words = corpus.words(corpus.build(main_raw, int(settings["documents"]), blocks, seed, span))
    corpus.build(small_raw, int(settings["small_documents"]), blocks, seed, span)
    big_words = corpus.words(corpus.build(big_raw, int(settings["noop_documents"]), blocks, seed + 1, span))
    n = int(settings["workers"])
    step = lambda name: print(f"bench: {name} ...", flush=True)  # noqa: E731

    r: dict = {"corpus": {"documents": int(settings["documents"]), "words": words, "noop_documents": int(settings["noop_documents"]), "noop_words": big_words}}
    rounds = int(settings["rounds"])
    bare, full = [], []
    for k in range(rounds):  # the ratio's two sides alternate, so a change in the machine's load falls on both
        step(f"bare nlp.pipe ({k + 1}/{rounds})")
        bare.append(measure.bare_pipe(config, main_raw))
        step(f"wpx run in process, model loaded ({k + 1}/{rounds})")
        full.append(measure.in_process(config, main_raw, args.out / ("o-inproc" if k == 0 else f"o-inproc-{k}"), ner=True))
    r["bare_pipe"], r["full_in_process"] = measure.fastest(bare), measure.fastest(full)
    step("wpx run --workers 1")
    r["full_1"] = measure.wpx_run(args.configs, main_raw, args.out / "o-1", "--workers", "1")
    step(f"wpx run --workers {n}")
    r["full_n"] = measure.wpx_run(args.configs, main_raw, args.out / "o-n", "--workers", str(n))
    step("wpx run --workers 1 on the x1 corpus (peak RSS)")
    r["full_small"] = measure.wpx_run(args.configs, small_raw, args.out / "o-small", "--workers", "1")
    step("stage commands (make extract) on the x1 and x10 corpora (peak RSS)")
    r["stages_small"] = measure.stage_commands(args.configs, small_raw, args.out / "o-stages-small")
    r["stages"] = measure.stage_commands(args.configs, main_raw, args.out / "o-stages")
    step("rules-only bare nlp.pipe (tokenizer and rule components alone)")
    r["rules_bare_pipe"] = measure.bare_pipe(config, big_raw, ner=False)
    step("rules-only in process")
    r["rules_in_process"] = measure.in_process(config, big_raw, args.out / "o-rules", ner=False)
    step("rules-only in process, the rule components replayed (what the rest of the run costs)")
    r["rules_replayed"] = measure.rules_replayed(config, big_raw, args.out / "o-rules-replayed")
    step("rules-only wpx run --no-ner --workers 1")
    r["rules_1"] = measure.wpx_run(args.configs, big_raw, args.out / "o-rules-1", "--no-ner", "--workers", "1")
    step("no-op rerun")
    r["noop"] = measure.wpx_run(args.configs, big_raw, args.out / "o-rules-1", "--no-ner", "--workers", "1")
    identical = all((args.out / "o-1" / f).read_bytes() == (args.out / "o-n" / f).read_bytes() == (args.out / "o-inproc" / f).read_bytes()
                    for f in ("documents.jsonl", "segments.jsonl", "mentions.jsonl", "relations.jsonl", "errors.jsonl"))
    stage_identical = all((args.out / "o-1" / f).read_bytes() == (args.out / "o-stages" / f).read_bytes()
                          for f in ("documents.jsonl", "segments.jsonl", "mentions.jsonl", "relations.jsonl", "errors.jsonl"))

    rate = lambda key, w=words: w / r[key]["seconds"]  # noqa: E731
    figures = {
        "bare_pipe_words_per_s": rate("bare_pipe"),
        "full_in_process_words_per_s": rate("full_in_process"),
        "full_1_worker_words_per_s": rate("full_1"),
        f"full_{n}_workers_words_per_s": rate("full_n"),
        "rules_only_in_process_words_per_s": rate("rules_in_process", big_words),
        "rules_only_cli_words_per_s": rate("rules_1", big_words),
        "rules_only_bare_pipe_words_per_s": rate("rules_bare_pipe", big_words),  # diagnostic: no ingest, segmentation, records or files
        "rules_only_rules_replayed_words_per_s": rate("rules_replayed", big_words),  # diagnostic: everything but the rule components
        "rules_replayed_mentions_identical": r["rules_replayed"]["mentions_identical"],
        "noop_rerun_seconds": r["noop"]["seconds"],
        "peak_rss_x1_mib": r["full_small"]["peak_rss_mib"],
        "peak_rss_x10_mib": r["full_1"]["peak_rss_mib"],
        "outputs_identical_1_vs_n_vs_in_process": identical,
        **{f"stage_{name}_peak_rss_x10_mib": r["stages"][name]["peak_rss_mib"] for name in r["stages"]},
        "stage_outputs_identical_to_run": stage_identical,
    }
    ratios = {
        "full_vs_bare_pipe (target >= 0.85)": figures["full_in_process_words_per_s"] / figures["bare_pipe_words_per_s"],
        f"{n}_workers_vs_1 (target >= 1.7)": r["full_1"]["seconds"] / r["full_n"]["seconds"],
        "rules_only_vs_200k (target >= 1.0)": figures["rules_only_in_process_words_per_s"] / 200_000,
        "noop_rerun_vs_2s (target < 1.0)": figures["noop_rerun_seconds"] / 2.0,
        "rss_x10_vs_x1 (target <= 1.2)": figures["peak_rss_x10_mib"] / figures["peak_rss_x1_mib"],
        **{f"stage_{name}_rss_x10_vs_x1 (target <= 1.2)": r["stages"][name]["peak_rss_mib"] / r["stages_small"][name]["peak_rss_mib"] for name in r["stages"]},
    }
    r["figures"], r["ratios"] = figures, ratios
    measure.dump(args.out / "bench.json", r)
    print(f"\ncorpus: {r['corpus']['documents']} documents, {words} words; no-op/rules-only corpus: {r['corpus']['noop_documents']} documents, {big_words} words")
    for name, value in figures.items():
        print(f"  {name:42} {value:,.2f}" if isinstance(value, float) else f"  {name:42} {value}")
    for key, title in (("full_in_process", "full"), ("rules_in_process", "rules-only"), ("rules_replayed", "rules-only, rules replayed")):
        stages = r[key]["stage_seconds"]
        print(f"{title} in process, seconds by stage: " + ", ".join(f"{name} {value:.2f} ({value / r[key]['seconds']:.0%})" for name, value in stages.items() if value))
    rules_cost = r["rules_in_process"]["seconds"] - r["rules_replayed"]["seconds"]
    budget = big_words / 200_000 - r["rules_replayed"]["seconds"]
    print(f"rule components in the rules-only run: {rules_cost:.2f} s; what 200,000 words/s leaves them: {budget:.2f} s")
    pairs = zip(r["bare_pipe"]["rounds_seconds"], r["full_in_process"]["rounds_seconds"])
    print("full vs bare nlp.pipe in each round (alternated): " + ", ".join(f"{bare_s / full_s:.2f}" for bare_s, full_s in pairs))
    print("ratios:")
    for name, value in ratios.items():
        print(f"  {name:42} {value:.2f}")
    print(f"written: {args.out / 'bench.json'}")


if __name__ == "__main__":
    main()
