"""Run the citatbot command in this process, then print its peak memory (MB) as a last line.

    python -m benchmarks.peak ask "FRÅGA"
"""

from __future__ import annotations

import sys

from benchmarks.measure import peak_rss_mb
from bot.terminal.cli import main

if __name__ == "__main__":
    code = main(sys.argv[1:])
    print(f"{peak_rss_mb():.1f}", flush=True)
    sys.exit(code)
