"""`citatbot eval`: gold question/answer files (gold), what is measured (metrics), the plain
BM25 baseline it compares against (baseline), the run and its floors (evaluate) and the tables
(view). Nothing here serves users; benchmarks/levers.py reuses it."""
