"""`python -m bot` runs the citatbot command line."""
from bot.terminal.cli import main

raise SystemExit(main())
