"""The commands behind ``qabot COMMAND``: each takes the parsed arguments and Settings and
returns the exit status. Heavy modules are imported inside each command, so ``qabot --help``
and a usage error load neither torch nor FAISS.

Exit status: 0 success; 1 an error stopped the command (nothing was changed);
2 bad command-line usage; 3 the command finished but some sources failed
(each printed as one line on standard error).
"""

from __future__ import annotations

import json
import os
import sys

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def _service(settings):
    from qabot.wiring import build_service

    return build_service(settings, check=False)


def _emit(args, data: dict, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if args.json else text)


def _ingest_result(args, report) -> int:
    from qabot.interfaces.cli.render import report_text

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
    from qabot.service.schedule import refresh_round

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
        from qabot.service.alerts import queue_for_new_articles

        queue_for_new_articles(service, service.state, article_ids)

    return queue


def cmd_watch(args, settings) -> int:
    from qabot.errors import ConfigError
    from qabot.service.schedule import DEFAULT_EVERY, watch
    from qabot.text.durations import format_duration, parse_duration

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

    from qabot.ingest.loaders.sources import configured_sources
    from qabot.state import open_state
    from qabot.state.sync import SourceStatus, load_status

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
        from qabot.interfaces.deeplink import ask_link

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
    from qabot.interfaces.cli.render import hit_json, hits_text

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
    from qabot.interfaces.cli.render import answer_json, answer_text

    service = _service(settings)
    filters = {"since": args.since, "until": args.until, "section": args.section}
    for question in _queries(args.query):
        answer = service.ask(question, **filters, suggest=True)
        if args.json or args.query == "-":
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(answer_text(answer))
    return EXIT_OK


def cmd_chat(args, settings) -> int:
    from qabot.interfaces.cli.chat import run_chat

    return run_chat(settings, color=not args.no_color and sys.stdout.isatty())


def cmd_eval(args, settings) -> int:
    from qabot.interfaces.cli.evaluate import run_eval

    return run_eval(args, settings)


def cmd_telegram(args, settings) -> int:
    from qabot.interfaces.bot.app import run_bot

    run_bot(settings)
    return EXIT_OK


def cmd_serve(args, settings) -> int:
    from qabot.interfaces.web.app import serve

    serve(settings, host=args.host, port=args.port)
    return EXIT_OK


def cmd_prepare(args, settings) -> int:
    from qabot.wiring import build_encoder

    encoder = build_encoder(settings)
    stored = encoder.prepare_bulk_runtime()
    if stored is not None:
        text = f"OpenVINO model stored in {stored}; ingests open it without loading torch"
    elif note := getattr(encoder, "prepare_note", ""):
        text = note
    elif settings.backend == "torch":
        text = "nothing to prepare: QABOT_BACKEND=torch embeds everything with torch"
    elif encoder.export_dir is None:
        text = f"model {encoder.model_id} is not a local folder: each large ingest converts it in memory"
    else:
        text = "nothing stored (see the warning above): large ingests convert the model in memory or use torch"
    _emit(args, {"stored": str(stored) if stored else None, "model": encoder.model_id}, text)
    return EXIT_OK


def cmd_reindex(args, settings) -> int:
    from qabot.ingest.maintenance import reindex
    from qabot.wiring import build_encoder

    encoder = build_encoder(settings)
    report = reindex(settings, encoder, progress=sys.stderr.isatty())
    data = report.as_dict()
    _emit(args, data, f"reindexed {data['articles']} articles ({data['chunks_embedded']} passages) with "
          f"{data['model']} into {data['version']} in {data['seconds']:.1f}s")
    return EXIT_OK


def cmd_check(args, settings) -> int:
    from qabot.ingest.maintenance import check, check_text

    report = check(settings)
    _emit(args, report.as_dict(), check_text(report))
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_export(args, settings) -> int:
    from qabot.ingest.maintenance import export, export_path

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
    from qabot.ingest.migrate import migrate

    result = migrate(settings, args.to)
    text = (f"copied {result['documents']} articles, {result['passages']} passages and "
            f"{result['state']} state records to {result['to']}")
    _emit(args, result, text)
    return EXIT_OK


COMMANDS = {
    "ingest": cmd_ingest, "refresh": cmd_refresh, "watch": cmd_watch, "sources": cmd_sources, "stats": cmd_stats, "show": cmd_show,
    "search": cmd_search, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval,
    "prepare": cmd_prepare, "telegram": cmd_telegram, "serve": cmd_serve, "reindex": cmd_reindex, "check": cmd_check,
    "export": cmd_export, "migrate": cmd_migrate,
}
