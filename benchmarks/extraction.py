"""Page extraction quality on 181 real article pages, qabot's HTML loading beside trafilatura's.

    python benchmarks/extraction.py [--corpus PATH] [--limit N] [--worst N] [--json]

The corpus is ``../shared/corpora/article-extraction`` (scrapinghub's article-extraction
benchmark: gzipped pages and the hand-checked article body of each); evaluation only, read
from there at run time, never copied. Without it the script says so and exits 0.

Metric, as the benchmark defines it: the texts are split into ``\\w+`` tokens (case kept), runs
of 4 tokens are counted as shingles; per page, true/false positives and false negatives of
shingle counts give precision and recall; both are averaged over pages (precision over pages
where something was predicted or expected, recall over pages with an expected body), and F1 is
taken of the two means. A page qabot refuses (no article text) counts as an empty prediction.

Systems, in one run: qabot (``html_article``: trafilatura with our options, page metadata, the
cleaner) and trafilatura 2.x called directly with its best setting on this corpus
(``include_comments=False``), the baseline named in the issue.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpora" / "article-extraction"
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_scores(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) as shares of their sum, so a long page weighs no more than a short one."""
    t, p = shingles(true), shingles(pred)
    tp = sum(min(t[k], p[k]) for k in t.keys() | p.keys())
    fp = sum(max(0, p[k] - t[k]) for k in t.keys() | p.keys())
    fn = sum(max(0, t[k] - p[k]) for k in t.keys() | p.keys())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def summary(scores: list[tuple[float, float, float]]) -> dict[str, float]:
    precision = statistics.mean(_precision(*s) for s in scores if s[0] + s[1] > 0)
    recall = statistics.mean(_recall(*s) for s in scores if s[0] + s[2] > 0)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def qabot_text(html: bytes, url: str) -> str:
    from qabot.errors import SourceError
    from qabot.ingest.loaders.html import html_article
    from qabot.settings import Settings

    try:
        return html_article(html, source=url, settings=Settings(_env_file=None), url=url).text
    except SourceError:
        return ""  # refused


def trafilatura_text(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--worst", type=int, default=5, help="list qabot's N lowest-F1 pages")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    truth_file = args.corpus / "ground-truth.json"
    if not truth_file.exists():
        print(f"skipped: no corpus at {args.corpus}")
        return 0
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    keys = sorted(truth)[: args.limit or None]
    systems = {"qabot": qabot_text, "trafilatura include_comments=False": trafilatura_text}
    scores: dict[str, list[tuple[float, float, float]]] = {name: [] for name in systems}
    refused: dict[str, list[str]] = {name: [] for name in systems}
    seconds: dict[str, float] = dict.fromkeys(systems, 0.0)
    for key in keys:
        html = gzip.decompress((args.corpus / "html" / f"{key}.html.gz").read_bytes())
        body, url = truth[key].get("articleBody", ""), truth[key].get("url", "")
        for name, extract in systems.items():
            started = time.perf_counter()
            text = extract(html, url)
            seconds[name] += time.perf_counter() - started
            scores[name].append(page_scores(body, text))
            if not text.strip():
                refused[name].append(key)
    results = {
        name: {**{k: round(v, 4) for k, v in summary(scores[name]).items()},
               "refused": len(refused[name]), "ms_per_page": round(1000 * seconds[name] / len(keys), 1)}
        for name in systems
    }
    if args.json:
        print(json.dumps({"pages": len(keys), "systems": results}))
        return 0
    print(f"{len(keys)} pages from {args.corpus}")
    for name, r in results.items():
        print(f"{name:<38} F1 {r['f1']:.3f}  precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
              f"refused {r['refused']}  {r['ms_per_page']:.0f} ms/page")
    ranked = sorted(range(len(keys)), key=lambda i: _f1(scores["qabot"][i]))
    print(f"qabot's {args.worst} weakest pages (F1, precision, recall):")
    for i in ranked[: args.worst]:
        s = scores["qabot"][i]
        print(f"  {keys[i][:16]}  {_f1(s):.3f}  {_precision(*s):.3f}  {_recall(*s):.3f}  {truth[keys[i]].get('url', '')}")
    return 0


def _f1(s: tuple[float, float, float]) -> float:
    p, r = _precision(*s), _recall(*s)
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    sys.exit(main())
