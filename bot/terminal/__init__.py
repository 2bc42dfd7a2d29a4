"""The terminal front end: `citatbot` and its subcommands (cli), the REPL (repl) and the one
progress bar (progress). cli is the edge where settings are built and errors become one line."""
