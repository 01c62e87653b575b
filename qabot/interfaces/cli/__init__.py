"""The command line (``qabot ...``): argument parsing, the commands, the interactive chat, text
and JSON rendering, and ``qabot eval``. Domain errors become one line and an exit code here."""
