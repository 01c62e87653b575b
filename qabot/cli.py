"""Command line: ingest, refresh, watch, sources, stats, show, search, ask, chat, eval, prepare,
migrate, telegram, reindex, check, export.

Exit status: 0 success; 1 an error stopped the command (nothing was changed);
2 bad command-line usage; 3 the command finished but some sources failed
(each printed as one line on standard error).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
SAMPLE_ARCHIVE = Path(__file__).parent / "sample_archive"


def _parser() -> argparse.ArgumentParser:
    from qabot.cli_args import add_common_options, date_arg, k_arg

    p = argparse.ArgumentParser(prog="qabot", description=__doc__.splitlines()[0])
    add_common_options(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("ingest", help="index articles from files, folders, feeds or URLs")
    s.add_argument("sources", nargs="+", metavar="SOURCE")
    s.add_argument("--prune", action="store_true", help="remove articles whose source file is gone")
    s.add_argument("--rebuild", action="store_true", help="start a new index (e.g. after changing the model)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("refresh", help="re-read the configured sources (QABOT_SOURCES); embed only what changed")
    s.add_argument("--prune", action="store_true", help="remove articles whose source file is gone")
    s.add_argument("--rebuild", action="store_true", help="re-embed everything")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("watch", help="refresh the configured sources on a schedule until SIGTERM/SIGINT")
    s.add_argument("--every", metavar="DURATION", help="time between rounds: 90s, 15m, 2h (default: QABOT_REFRESH_EVERY or 15m)")

    s = sub.add_parser("sources", help="the configured sources and how their last refreshes went")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("stats", help="what the index holds")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("show", help="one stored article")
    s.add_argument("article_id")
    s.add_argument("--json", action="store_true")

    for name, help_ in (("search", "matching articles, one per article"), ("ask", "a cited answer")):
        s = sub.add_parser(name, help=help_)
        s.add_argument("query", metavar="QUERY", help="text, or - to read one per line from standard input")
        if name == "search":
            s.add_argument("--k", type=k_arg, default=10, help="how many articles (1-1000)")
        s.add_argument("--since", type=date_arg, help="earliest date: YYYY[-MM[-DD]], today, yesterday, 'N days ago'")
        s.add_argument("--until", type=date_arg, help="latest date, the same forms")
        s.add_argument("--section")
        s.add_argument("--json", action="store_true")

    s = sub.add_parser("chat", help="interactive chat in the terminal (builds the sample archive if there is no index)")
    s.add_argument("--no-color", action="store_true")

    s = sub.add_parser("eval", help="retrieval and answer quality on a question file or a corpus")
    s.add_argument("file", help="questions (TSV or JSONL) or, with --known-item, a JSONL corpus")
    s.add_argument("--known-item", action="store_true", help="index the corpus without headlines, query each headline")
    s.add_argument("--limit", type=int, default=0, help="evaluate only the first N questions")
    s.add_argument("--into", metavar="DIR", help="with --known-item: build (or reuse) the test index in DIR "
                   "instead of a private temporary folder; never the configured index")
    s.add_argument("--misses", action="store_true",
                   help="print each question answered wrong (by its kind's measure) with what was cited, on stderr")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("prepare", help="convert the embedding model for fast ingest now (ingest does it once if needed)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("migrate", help="copy the archive and shared state to PostgreSQL or a data folder, without re-embedding")
    s.add_argument("--to", required=True, metavar="TARGET", help="postgresql://... URL, or a data folder")
    s.add_argument("--json", action="store_true")

    sub.add_parser("telegram", help="run the Telegram bot (QABOT_TELEGRAM_TOKEN)")

    s = sub.add_parser("reindex", help="re-embed the stored articles (new model or chunking) without reading the sources")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("check", help="verify the live index version; says what is wrong and how to repair it")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("export", help="write every stored article (id and metadata) as JSON lines")
    s.add_argument("--out", metavar="FILE.jsonl", help="where to write (default: standard output)")
    for command in sub.choices.values():
        add_common_options(command, top=False)
    return p


def main(argv: list[str] | None = None) -> int:
    from qabot.cli_args import check_query

    parser = _parser()
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
        return _COMMANDS[args.command](args, settings)
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


def _service(settings):
    from qabot.wiring import build_service

    return build_service(settings, check=False)


def _emit(args, data: dict, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if args.json else text)


def _ingest_result(args, report) -> int:
    from qabot.render import report_text

    data = report.as_dict()
    for failure in report.failed:
        print(f"qabot: failed: {failure}", file=sys.stderr)
    for note in report.fallbacks:
        print(f"qabot: note: {note}", file=sys.stderr)
    _emit(args, data, report_text(data))
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_ingest(args, settings) -> int:
    service = _service(settings)
    report = service.ingest(args.sources, prune=args.prune, rebuild=args.rebuild, progress=sys.stderr.isatty())
    return _ingest_result(args, report)


def cmd_refresh(args, settings) -> int:
    from qabot.errors import QabotError
    from qabot.schedule import refresh_round

    service = _service(settings)
    if args.rebuild:
        report = service.ingest(service.sources(), prune=args.prune, rebuild=True, progress=sys.stderr.isatty())
        return _ingest_result(args, report)
    result = refresh_round(
        service, service.state, prune=args.prune, every_source=True, on_new_articles=_alerts_hook(service)
    )
    if not result.ran:
        raise QabotError("another refresh is running; try again when it has finished")
    if result.error:
        raise QabotError(result.error)
    return _ingest_result(args, result.report)


def _alerts_hook(service):
    """New articles go to the alerts outbox; the bot delivers them, whoever refreshed."""

    def queue(article_ids: list[str]) -> None:
        from qabot.alerts import queue_for_new_articles

        queue_for_new_articles(service, service.state, article_ids)

    return queue


def cmd_watch(args, settings) -> int:
    from qabot.durations import format_duration, parse_duration
    from qabot.errors import ConfigError
    from qabot.schedule import DEFAULT_EVERY, watch

    try:
        every = parse_duration(args.every, name="--every") if args.every else settings.refresh_seconds or DEFAULT_EVERY
    except ConfigError as e:
        print(f"qabot watch: {e}", file=sys.stderr)
        return EXIT_USAGE
    if every <= 0:
        print("qabot watch: --every must be longer than 0s", file=sys.stderr)
        return EXIT_USAGE
    service = _service(settings)
    service.sources()  # no sources: say so now, not at the first round

    def say(line: str) -> None:
        print(f"qabot watch: {line}", file=sys.stderr, flush=True)

    say(f"refreshing every {format_duration(every)}; SIGTERM or Ctrl-C stops")
    code = watch(service, service.state, every, say=say, on_new_articles=_alerts_hook(service))
    # Nothing is left open (the index writer unwound, state calls hold no connection), and
    # torch's interpreter teardown takes seconds: a supervisor's stop should not wait for it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def cmd_sources(args, settings) -> int:
    from dataclasses import asdict

    from qabot.archive.sources import configured_sources
    from qabot.persist import open_state
    from qabot.sync import SourceStatus, load_status

    state = open_state(settings)
    rows = []
    for spec in configured_sources(settings):
        status = load_status(state, spec.name) or SourceStatus(source=spec.name, url=spec.location)
        rows.append({**asdict(status), "url": spec.location, "section": spec.section, "every": spec.every})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("no sources configured (QABOT_SOURCES or QABOT_SOURCES_FILE)")
    for row in rows:
        health = "never tried" if not row["last_attempt"] else (
            "ok" if not row["last_error"] else f"FAILING x{row['consecutive_failures']}: {row['last_error']}"
        )
        print(f"{row['source']}  [{health}]  articles {row['articles']}  last success {row['last_success'] or 'never'}")
        if row["url"] != row["source"]:
            print(f"    {row['url']}")
    return EXIT_OK


def cmd_stats(args, settings) -> int:
    stats = _service(settings).stats()
    _emit(args, stats, "\n".join(f"{k}: {v}" for k, v in stats.items()))
    return EXIT_OK


def cmd_show(args, settings) -> int:
    from qabot.errors import QabotError

    article = _service(settings).show(args.article_id)
    if article is None:
        raise QabotError(f"no article with id {args.article_id!r}")
    if settings.telegram_username:
        from qabot.deeplink import ask_link

        article["ask_link"] = ask_link(settings.telegram_username, article["article_id"])
    text = f"{article['title']}\n{article['published']}  {article['url']}\n\n{article['text']}"
    _emit(args, article, text)
    return EXIT_OK


def _queries(query: str):
    if query != "-":
        yield query
        return
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


def cmd_search(args, settings) -> int:
    from qabot.render import hit_json, hits_text

    service = _service(settings)
    filters = {"since": args.since, "until": args.until, "section": args.section}
    for query in _queries(args.query):
        hits = service.search(query, args.k, **filters)
        data = {"query": query, "results": [hit_json(h) for h in hits]}
        if args.json or args.query == "-":
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            print(hits_text(hits))
    return EXIT_OK


def cmd_ask(args, settings) -> int:
    from qabot.render import answer_json, answer_text

    service = _service(settings)
    filters = {"since": args.since, "until": args.until, "section": args.section}
    for question in _queries(args.query):
        answer = service.ask(question, **filters)
        if args.json or args.query == "-":
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(answer_text(answer))
    return EXIT_OK


def cmd_chat(args, settings) -> int:
    from qabot.chat import run_chat

    return run_chat(settings, color=not args.no_color and sys.stdout.isatty())


def cmd_eval(args, settings) -> int:
    from qabot.evaluate import run_eval

    return run_eval(args, settings)


def cmd_telegram(args, settings) -> int:
    from qabot.bot.app import run_bot

    run_bot(settings)
    return EXIT_OK


def cmd_prepare(args, settings) -> int:
    from qabot.wiring import build_encoder

    encoder = build_encoder(settings)
    stored = encoder.prepare_bulk_runtime()
    if stored is not None:
        text = f"OpenVINO model stored in {stored}; ingests open it without loading torch"
    elif settings.backend == "torch":
        text = "nothing to prepare: QABOT_BACKEND=torch embeds everything with torch"
    elif encoder.export_dir is None:
        text = f"model {encoder.model_id} is not a local folder: each large ingest converts it in memory"
    else:
        text = "nothing stored (see the warning above): large ingests convert the model in memory or use torch"
    _emit(args, {"stored": str(stored) if stored else None, "model": encoder.model_id}, text)
    return EXIT_OK


def cmd_reindex(args, settings) -> int:
    from qabot.maintenance import reindex
    from qabot.service import make_encoder

    encoder = make_encoder(settings)
    report = reindex(settings, encoder, progress=sys.stderr.isatty())
    data = report.as_dict()
    _emit(args, data, f"reindexed {data['articles']} articles ({data['chunks_embedded']} passages) with "
          f"{data['model']} into {data['version']} in {data['seconds']:.1f}s")
    return EXIT_OK


def cmd_check(args, settings) -> int:
    from qabot.maintenance import check, check_text

    report = check(settings)
    _emit(args, report.as_dict(), check_text(report))
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_export(args, settings) -> int:
    from qabot.maintenance import export, export_path

    target = export_path(args.out)
    if target is None:
        count = export(settings, sys.stdout)
    else:
        partial = target.with_name(f".{target.name}.partial")
        with open(partial, "w", encoding="utf-8") as out:
            count = export(settings, out)
        os.replace(partial, target)  # a failed export never leaves half a backup under the name
    print(f"exported {count} articles" + (f" to {target}" if target else ""), file=sys.stderr)
    return EXIT_OK


def cmd_migrate(args, settings) -> int:
    from qabot.migrate import migrate

    result = migrate(settings, args.to)
    text = (f"copied {result['documents']} articles, {result['passages']} passages and "
            f"{result['state']} state records to {result['to']}")
    _emit(args, result, text)
    return EXIT_OK


_COMMANDS = {
    "ingest": cmd_ingest, "refresh": cmd_refresh, "watch": cmd_watch, "sources": cmd_sources, "stats": cmd_stats, "show": cmd_show,
    "search": cmd_search, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval,
    "prepare": cmd_prepare, "telegram": cmd_telegram, "reindex": cmd_reindex, "check": cmd_check,
    "export": cmd_export, "migrate": cmd_migrate,
}
