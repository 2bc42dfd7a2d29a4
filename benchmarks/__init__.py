"""Benchmarks of citatbot's speed and memory (`make bench`); not part of `make test`."""
