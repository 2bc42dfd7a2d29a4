"""What tests and benchmarks share: the fake Bot API, the bundled corpus and its questions,
synthetic corpora and the load harness. Imports neither test modules nor benchmarks."""
