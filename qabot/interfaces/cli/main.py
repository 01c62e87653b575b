"""Command line: ingest, refresh, watch, sources, stats, show, search, ask, chat, eval, prepare,
migrate, telegram, reindex, check, export.

Exit status: 0 success; 1 an error stopped the command (nothing was changed);
2 bad command-line usage; 3 the command finished but some sources failed
(each printed as one line on standard error).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from qabot.interfaces.cli.commands import COMMANDS, EXIT_ERROR, EXIT_OK


def main(argv: list[str] | None = None) -> int:
    from qabot.interfaces.cli.args import build_parser, check_query

    parser = build_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    check_query(parser, args)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # faiss tries its fastest build first and logs each miss ("Could not load library with
    # AVX512 support"): normal on most CPUs, but it reads like an error at -v.
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    from qabot.errors import QabotError
    from qabot.settings import Settings

    overrides: dict[str, Any] = {"data_dir": Path(args.data_dir)} if args.data_dir else {}
    try:
        settings = Settings(**overrides)
    except Exception as e:  # pydantic's ValidationError lists every bad field
        print(f"qabot: invalid settings: {_one_line(e)}", file=sys.stderr)
        return EXIT_ERROR
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        return COMMANDS[args.command](args, settings)
    except QabotError as e:
        print(f"qabot: {e}", file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.DatabaseError as e:  # damaged under a running command; Store.open checks first
        print(f"qabot: the index's SQLite file is damaged ({_one_line(e)}); "
              "see how to repair it with: qabot check", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader closed the pipe (`qabot search ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit
        return EXIT_OK


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
