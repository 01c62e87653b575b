"""The interactive terminal chat: questions, follow-ups, /sources, /reset, /help, /quit."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import cast

from qabot.errors import IndexMissing
from qabot.interfaces.cli.render import Style, answer_text, citation_line, snippet
from qabot.models import Citation
from qabot.settings import Settings

HELP = """Ask anything about the archive; follow-up questions use the previous answers.
  /sources  the passages behind the last answer
  /reset    forget the conversation (start a new topic)
  /help     this text
  /quit     leave (or Ctrl-D)"""
CONVERSATION = "cli"
# The bundled fictional archive that a first `qabot chat` indexes (qabot/sample_archive/).
SAMPLE_ARCHIVE = Path(__file__).resolve().parents[2] / "sample_archive"


def open_or_build_sample(settings: Settings, out=sys.stderr):
    """Opens the index; with none yet, builds one from the bundled sample archive."""
    from qabot.wiring import build_service

    try:
        return build_service(settings)
    except IndexMissing:
        print(f"No index in {settings.data_dir} yet: indexing the bundled sample archive "
              f"({SAMPLE_ARCHIVE.name}, fictional articles)...", file=out)
        service = build_service(settings, check=False)
        report = service.ingest([str(SAMPLE_ARCHIVE)])
        print(f"Indexed {report.added} articles.", file=out)
        return service


def run_chat(settings: Settings, color: bool = True, stdin=None, stdout=None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    style = Style(color)
    service = open_or_build_sample(settings)
    service.reset(CONVERSATION)  # the context is kept in the data folder: a new session starts afresh
    stats = service.stats()
    interactive = stdin.isatty()
    if interactive:
        try:
            import readline  # noqa: F401 - line editing and history for input()
        except ImportError:
            pass
    print(style.bold(f"qabot: {stats['articles']} articles. Ask a question, /help for commands."), file=stdout)
    warm = _warm_up(service)  # the model loads (about 4 s) while the reader types
    while True:
        try:
            line = input(style.yellow("you> ")) if interactive else stdin.readline()
        except EOFError:
            break
        if not interactive and not line:
            break
        question = line.strip()
        if not question:
            continue
        command = question.lower()
        if command in ("/quit", "/exit", "/q"):
            break
        if command == "/help":
            print(HELP, file=stdout)
        elif command == "/reset":
            service.reset(CONVERSATION)
            print(style.dim("Conversation cleared."), file=stdout)
        elif command == "/sources":
            print(_sources(service, style), file=stdout)
        elif command.startswith("/"):
            print(f"Unknown command {question.split()[0]}; /help lists them.", file=stdout)
        else:
            if not warm.wait(0):
                print(style.dim("(loading the language model for the first answer, a few seconds…)"),
                      file=stdout, flush=True)
            answer = service.ask(question, CONVERSATION)
            print(style.bold("qabot> ") + answer_text(answer, style), file=stdout)
            print(file=stdout)
        stdout.flush()
    return 0


def _warm_up(service) -> threading.Event:
    """Loads the model in the background; the event is set once a question would be quick."""
    done = threading.Event()

    def work() -> None:
        try:
            service.encoder.embed(["warm up"], kind="query")
        except Exception:  # the first question reports any real problem itself
            pass
        finally:
            done.set()

    threading.Thread(target=work, name="qabot-warm-up", daemon=True).start()
    return done


def _sources(service, style: Style) -> str:
    answer = service.last_answer(CONVERSATION)
    if answer is None:
        return "No answer yet: ask a question first."
    if not answer.passages:
        return "The last answer had no sources."
    lines = []
    for p in answer.passages:
        lines.append(citation_line(cast(Citation, _Line(p)), p["n"], style))
        lines.append("    " + snippet(p["text"], 400))
    return "\n".join(lines)


class _Line:
    """Adapts a passage dict to what citation_line reads."""

    def __init__(self, passage: dict) -> None:
        self.title = passage["title"]
        self.article_id = passage["article_id"]
        self.published = passage["published"]
        self.url = passage["url"]
