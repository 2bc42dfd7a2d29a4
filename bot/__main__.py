"""`python -m bot` runs the citatbot command line."""
from bot.cli import main

raise SystemExit(main())
