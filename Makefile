# The Makefile is the pipeline's dependency graph: one target per stage, real
# files under $(OUT) as outputs; inputs, the stage's code and its configs as
# prerequisites. A stage that fails on some documents (exit 1) still lets the
# next stages run for the others; `make extract` then exits non-zero.

PYTHON  ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
RAW     := raw
OUT     := extracted
CONFIGS := configs
GOLD    := ../shared/gold

WPX       := $(BIN)/wpx --configs $(CONFIGS)
CORE      := pipeline/__init__.py pipeline/config.py pipeline/records.py pipeline/cli.py $(CONFIGS)/pipeline.toml
# Run a stage; exit 1 (some documents failed) lets the graph go on, anything else stops it.
STAGE_OK  := || [ $$? -eq 1 ]

.PHONY: setup test extract eval export bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --no-deps --no-build-isolation -e .
	touch $@

test: setup
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

# Listings of raw/ and configs/, rewritten when make reads this file and only when they changed. Ingest
# depends on both: a raw file or a config file added, changed, renamed, deleted or re-linked reruns it
# (every document records the hash of the whole configs folder), no file name (spaces, colons) appears
# in a rule, and `make -n` after no change lists no stage. The raw listing is wpx's own (`wpx list-raw`:
# the files ingest reads, skipping what it skips, OUT and other wpx output folders inside RAW among
# them, with their real paths); before setup has made wpx, it is made by its rule after setup. The
# configs' listing is every file, through links (the configs' hash covers every file). Not for the goals that
# never read raw/ or configs/. (RAW, OUT and CONFIGS themselves must not contain spaces.)
list_configs = { find -L $(1) \( -type f -o -type l \) -printf '%P\t%s\t%T@\n'; find -H $(1) -type l -printf '%P\t-> %l\n'; } 2>/dev/null | LC_ALL=C sort
list_raw = $(WPX) list-raw $(RAW) --out $(OUT)
# A listing that cannot be made now (no wpx before setup, RAW missing or unreadable) is deleted, so its
# rule below makes it after setup, or fails and stops make: never a stale listing that reruns nothing.
listing = $(shell mkdir -p $(OUT) && { $(1) > $(2).$$$$.new && { cmp -s $(2).$$$$.new $(2) && rm -f $(2).$$$$.new || mv -f $(2).$$$$.new $(2); } || rm -f $(2).$$$$.new $(2); })
ifneq ($(filter-out setup test bench clean,$(or $(MAKECMDGOALS),setup)),)
_ := $(if $(wildcard $(BIN)/wpx),$(call listing,$(list_raw),$(OUT)/.raw-files),$(shell rm -f $(OUT)/.raw-files))$(call listing,$(call list_configs,$(CONFIGS)),$(OUT)/.config-files)
endif

# When deleted above or by `make clean extract` (the raw listing needs wpx: after setup).
$(OUT)/.raw-files: | setup
	@mkdir -p $(OUT) && { $(list_raw) > $@.$$$$.new && mv -f $@.$$$$.new $@ || { rm -f $@.$$$$.new; exit 1; }; }
$(OUT)/.config-files:
	@mkdir -p $(OUT) && $(call list_configs,$(CONFIGS)) > $@

$(OUT)/documents.jsonl: $(OUT)/.raw-files $(OUT)/.config-files $(CORE) $(wildcard pipeline/ingest/*.py) pipeline/layout.py pipeline/layout_rules.py pipeline/normalize/dates.py | setup
	$(WPX) ingest $(RAW) --out $(OUT) $(STAGE_OK)

# segment tokenizes with the extraction tokenizer (extraction.toml [tokenizer], built in nlp.py)
$(OUT)/segments.jsonl: $(OUT)/documents.jsonl $(CORE) pipeline/segment.py pipeline/layout.py pipeline/layout_rules.py pipeline/nlp.py $(CONFIGS)/segmentation.toml $(CONFIGS)/extraction.toml
	$(WPX) segment --out $(OUT) $(STAGE_OK)

EXTRACT_CODE := $(wildcard pipeline/extract/*.py pipeline/components/*.py pipeline/normalize/*.py) pipeline/nlp.py pipeline/layout_rules.py pipeline/registry.py pipeline/provenance.py pipeline/parses.py
EXTRACT_CONF := $(CONFIGS)/extraction.toml $(wildcard $(CONFIGS)/registries/*.tsv)

# parses/ too: `wpx run` deletes it (it belonged to the mentions the run replaced), and relate reads it
$(OUT)/mentions.jsonl $(OUT)/parses/index.json &: $(OUT)/documents.jsonl $(OUT)/segments.jsonl $(CORE) $(EXTRACT_CODE) $(EXTRACT_CONF)
	$(WPX) extract --out $(OUT) $(STAGE_OK)

# relate also reads $(OUT)/parses/, which extract puts in place before mentions.jsonl
$(OUT)/relations.jsonl: $(OUT)/mentions.jsonl $(OUT)/parses/index.json $(OUT)/segments.jsonl $(CORE) $(wildcard pipeline/relate/*.py) pipeline/registry.py pipeline/parses.py $(CONFIGS)/relations.toml $(wildcard $(CONFIGS)/registries/*.tsv)
	$(WPX) relate --out $(OUT) $(STAGE_OK)

extract: $(OUT)/relations.jsonl
	@if [ -s $(OUT)/errors.jsonl ]; then echo "make extract: some documents failed, see $(OUT)/errors.jsonl" >&2; exit 1; fi

# Consumer tables and dataset card, from every stage's output.
EXPORT_IN   := $(OUT)/documents.jsonl $(OUT)/segments.jsonl $(OUT)/mentions.jsonl $(OUT)/relations.jsonl
EXPORT_CODE := pipeline/export.py pipeline/derived.py pipeline/card.py pipeline/names.py pipeline/validate.py pipeline/schemas/__init__.py $(wildcard pipeline/data/*) $(wildcard $(CONFIGS)/registries/*.tsv)

export: $(OUT)/tables/documents.parquet $(OUT)/DATASET.md

$(OUT)/tables/documents.parquet $(OUT)/DATASET.md &: $(EXPORT_IN) $(CORE) $(EXPORT_CODE)
	$(WPX) export $(OUT) --format parquet

# Score $(OUT) against the hand-made gold of the seed document.
eval: $(OUT)/relations.jsonl
	$(WPX) evaluate --gold $(GOLD) --pred $(OUT)

# Throughput, scaling, rules-only speed, no-op rerun and peak RSS of `wpx run` on a
# synthetic corpus ([bench] in configs/pipeline.toml); figures + ratios on stdout,
# JSON in bench/out/bench.json (git-ignored). A few minutes on 2 cores.
bench: setup
	$(BIN)/python -m pipeline.bench --configs $(CONFIGS) --out bench/out

clean:
	rm -rf $(OUT)
