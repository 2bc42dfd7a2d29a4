"""The CLI keeps freed arrays for the next question (retrieval/memory.py): a question's arrays
of megabytes, made again, cost no fresh pages."""

from __future__ import annotations

import subprocess
import sys

import pytest

# A fresh process: the arrays of three questions of several megabytes, freed after each; the
# page faults of each round. glibc's own thresholds leave the second round faulting hundreds.
ROUNDS = """
import resource, sys
import numpy as np
from retrieval.memory import keep_freed_memory

kept = keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
rounds = []
for _ in range(3):
    before = faults()
    for n in (1_000_000, 3_000_000, 2_000_000, 500_000):
        scores = np.ones(n); rows = np.ones(n // 2); del scores, rows
    rounds.append(faults() - before)
print(kept, *rounds)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_questions_arrays_made_again_cost_no_fresh_pages() -> None:
    out = subprocess.run([sys.executable, "-c", ROUNDS], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "True"
    assert int(out[2]) < 50 and int(out[3]) < 50, out
