"""The insights page's HTML: charts first, then the examples behind them. Every value from a
reader or an article passes through ``html.escape``."""

from __future__ import annotations

from html import escape

from qabot.interfaces.freshness import when
from qabot.interfaces.web import charts

PERIODS = (1, 7, 30, 90)


def _header(data: dict, days: int) -> str:
    options = "".join(f'<option value="{d}"{" selected" if d == days else ""}>last {d} day{"s" if d > 1 else ""}</option>'
                      for d in PERIODS)
    return (f'<header><h1>What readers asked</h1><form method="get" action="/insights">'
            f'<label for="days">Period</label> <select id="days" name="days">{options}</select> '
            f'<button type="submit">Show</button></form><a href="/insights.csv?days={days}">CSV</a>'
            f'<form method="post" action="/insights/logout"><button type="submit">Sign out</button></form></header>')


def _kpis(data: dict) -> str:
    total = data["questions"]
    pct = round(100 * data["answered"] / total) if total else 0
    channels = ", ".join(f"{escape(k)} {v}" for k, v in sorted(data["channels"].items())) or "none"
    logging = "" if data["logging"] else '<p class="bad">Question logging is off (QABOT_QUESTION_LOG=false).</p>'
    return (f'<section class="wide"><div class="kpis"><div><div class="big">{total}</div>questions</div>'
            f'<div><div class="big">{pct}%</div>answered</div><div><div class="big">{data["refused"]}</div>'
            f'not in the archive</div></div><p class="muted">{escape(data["since"])} to {escape(data["until"])} '
            f'(UTC) · by channel: {channels} · questions are kept {data["retention_days"]} days</p>{logging}'
            f'{charts.per_day(data["per_day"], "Questions per day")}<p class="legend muted">'
            f'<span style="background:{charts.ANSWERED}"></span>answered<span style="background:{charts.REFUSED}">'
            f'</span>not in the archive</p>{charts.share(data["answered"], data["refused"], "Share answered")}</section>')


def _topics(title: str, note: str, topics: list[dict], colour: str) -> str:
    rows = "".join(f'<li><b>{escape(t["label"])}</b> ({t["count"]}): '
                   + "; ".join(f"“{escape(e)}”" for e in t["examples"]) + "</li>" for t in topics)
    body = charts.bars(topics, title, colour) + f"<ul>{rows}</ul>" if topics else '<p class="muted">None in this period.</p>'
    return f'<section><h2>{escape(title)}</h2><p class="muted">{escape(note)}</p>{body}</section>'


def _sources(items: list[dict]) -> str:
    links = []
    for s in items:
        url = s.get("url", "")
        title = escape(s.get("title") or url)
        safe = url.startswith(("http://", "https://"))
        links.append((f'<a href="{escape(url)}" rel="noopener noreferrer">{title}</a>' if safe else title)
                     + (f' ({escape(s.get("published", "")[:10])})' if s.get("published") else ""))
    return "<br>".join(links) or '<span class="muted">none</span>'


def _complaints(title: str, rows: list[dict], reason: bool) -> str:
    if not rows:
        return f'<section><h2>{escape(title)}</h2><p class="muted">None in this period.</p></section>'
    head = "<tr><th>Question</th>" + ("<th>Problem</th>" if reason else "") + "<th>Answer</th><th>Sources</th></tr>"
    body = "".join(
        f'<tr><td>{escape(r["question"])}</td>' + (f'<td class="bad">{escape(r["reason"])}</td>' if reason else "")
        + f'<td>{escape(r["answer"][:400])}</td><td>{_sources(r["sources"])}</td></tr>' for r in rows[:50])
    return f'<section class="wide"><h2>{escape(title)} ({len(rows)})</h2><table>{head}{body}</table></section>'


def _source_row(s: dict) -> str:
    failing = s["consecutive_failures"]
    status = escape(s["last_error"] or "ok") + (f" ({failing} failures in a row)" if failing else "")
    return (f'<tr><td>{escape(s["source"])}</td><td>{escape(when(s["last_success"]))}</td><td>{s["articles"]}</td>'
            f'<td class="{"bad" if failing else ""}">{status}</td></tr>')


def _freshness(fresh: dict) -> str:
    archive = fresh["archive"]
    rows = "".join(_source_row(s) for s in fresh["sources"])
    table = (f"<table><tr><th>Source</th><th>Last success</th><th>Articles</th><th>Status</th></tr>{rows}</table>"
             if rows else '<p class="muted">No configured source has been synced yet (QABOT_SOURCES).</p>')
    return (f'<section class="wide"><h2>Freshness</h2><p>{archive["articles"]} articles; newest article '
            f'{escape(archive["newest"][:10] or "none")}; last updated {escape(when(archive["updated"]))}.</p>{table}</section>')


def render(data: dict, days: int) -> str:
    """The page body for the figures of ``figures.insights``."""
    return _header(data, days) + "<main>" + _kpis(data) + _topics(
        "Not in the archive: what readers wanted", "Refused questions grouped by meaning, largest group first.",
        data["refused_topics"], charts.REFUSED,
    ) + _topics("Most asked topics", "All questions grouped by meaning.", data["top_topics"], charts.BAR) + _complaints(
        "Answers voted down", data["voted_down"], False) + _complaints("Problems reported", data["reports"], True) + _freshness(
        data["freshness"]) + "</main>"
