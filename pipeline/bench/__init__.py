"""make bench: throughput, scaling, rules-only speed, no-op rerun time and memory of `wpx run`."""
