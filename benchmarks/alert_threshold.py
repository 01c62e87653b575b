"""Where to set ``QABOT_ALERT_MIN_SCORE``: topic alerts must reach followers of a related topic
and stay away from everyone else.

    python benchmarks/alert_threshold.py [--bbc PATH] [--json]

1. Sample archive (``qabot/sample_archive``, 18 fictional articles), hand-labelled: 28 topics a
   reader might follow, each with the articles that are about it; every other pair is
   unrelated, a few borderline pairs are left out. Every (topic, article) pair is scored with
   the search ranking's own hybrid score (``Retriever.score_articles``: 0.6 dense + 0.6 lead
   + 0.3 keyword), exactly as an alert is judged. Prints recall, false alerts and F1 per
   threshold.
2. BBC (``../shared/corpora/bbc``, 2,225 articles, when present): topics that belong to one
   section ("Premier League football" is sport); every article of another section is an
   unrelated pair, so this counts false alerts in an archive a hundred times larger.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "qabot" / "sample_archive"
BBC = ROOT.parent / "shared" / "corpora" / "bbc" / "articles.jsonl"
THRESHOLDS = [round(0.40 + 0.05 * i, 2) for i in range(13)]

# topic -> (related title fragments, borderline title fragments left out of the count)
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "motorways": (["Siret Valley Motorway", "A16 motorway"], []),
    "A16 motorway": (["Siret Valley Motorway", "A16 motorway"], []),
    "interest rates": (["Central bank cuts"], []),
    "inflation": (["Central bank cuts"], ["minimum wage", "pension point", "electricity price"]),
    "monetary policy": (["Central bank cuts"], []),
    "cybersecurity": (["Cyber directorate"], []),
    "ransomware": (["Cyber directorate"], []),
    "football": (["Romanian Cup final"], []),
    "Romanian Cup": (["Romanian Cup final"], []),
    "energy prices": (["electricity price cap"], []),
    "household electricity bills": (["electricity price cap"], []),
    "festivals": (["Lumina Mureșului"], []),
    "minimum wage": (["minimum wage"], []),
    "salaries and labour law": (["minimum wage", "telework"], []),
    "pensions": (["pension point"], []),
    "start-up funding": (["Norvia Labs"], []),
    "drones": (["Norvia Labs"], []),
    "agriculture": (["winegrowers", "young farmers"], ["Norvia Labs"]),
    "hospitals": (["children's hospital"], ["defibrillators"]),
    "wine": (["winegrowers"], []),
    "budget deficit": (["Budget deficit"], []),
    "EU funds for farmers": (["young farmers"], []),
    "public transport": (["tram line"], []),
    "Timisoara": (["tram line"], []),
    "seaside tourism": (["Black Sea resorts"], []),
    "rowing": (["Rower Bogdan Coman"], []),
    "sport": (["Romanian Cup final", "Rower Bogdan Coman"], []),
    "Sibiu": (["children's hospital"], []),
}

# BBC: topics that belong to one section; any article of another section is unrelated.
BBC_TOPICS = {
    "Premier League football": "sport", "tennis": "sport", "rugby": "sport",
    "Oscars and film awards": "entertainment", "pop music charts": "entertainment",
    "general election campaign": "politics", "immigration policy": "politics",
    "mobile phones": "tech", "video games": "tech", "computer viruses": "tech",
    "oil prices": "business", "stock markets": "business", "interest rates": "business",
}


def build(articles: list[str], data: Path, encoder):  # noqa: ANN001, ANN201
    from qabot.service.qa import QAService
    from qabot.settings import Settings

    service = QAService(Settings(_env_file=None, data_dir=data), encoder)
    report = service.ingest(articles)
    assert not report.failed, report.failed
    return service


def scores(service, topics: list[str]) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """{topic: {article id: hybrid score}} for every article of the archive."""
    ids = list(service.store.content_hashes())
    retriever = service.retriever
    return {t: {c.doc_id: c.score for c in retriever.score_articles(t, ids)} for t in topics}


def sample_section(encoder) -> dict:  # noqa: ANN001
    with tempfile.TemporaryDirectory() as tmp:
        service = build([str(SAMPLE)], Path(tmp) / "data", encoder)
        titles = {d: doc.title for d, doc in service.store.documents(service.store.content_hashes()).items()}
        got = scores(service, list(TOPICS))
    related, unrelated = [], []
    for topic, (yes, maybe) in TOPICS.items():
        for doc_id, title in titles.items():
            pair = (got[topic].get(doc_id, 0.0), topic, title)
            if any(f.lower() in title.lower() for f in yes):
                related.append(pair)
            elif not any(f.lower() in title.lower() for f in maybe):
                unrelated.append(pair)
    rows = []
    for t in THRESHOLDS:
        tp = sum(s >= t for s, *_ in related)
        fp = sum(s >= t for s, *_ in unrelated)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / len(related)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"threshold": t, "recall": round(recall, 3), "false_alerts": fp, "f1": round(f1, 3)})
    return {
        "pairs": {"related": len(related), "unrelated": len(unrelated)},
        "lowest_related": [(round(s, 3), t, h[:50]) for s, t, h in sorted(related)[:5]],
        "highest_unrelated": [(round(s, 3), t, h[:50]) for s, t, h in sorted(unrelated, reverse=True)[:5]],
        "thresholds": rows,
    }


def bbc_section(path: Path, encoder) -> dict:  # noqa: ANN001
    with tempfile.TemporaryDirectory() as tmp:
        service = build([str(path)], Path(tmp) / "data", encoder)
        section = {d: doc.section or doc.doc_id.split("/")[0] for d, doc in
                   service.store.documents(service.store.content_hashes()).items()}
        got = scores(service, list(BBC_TOPICS))
    rows = []
    for t in THRESHOLDS:
        false = sum(1 for topic, home in BBC_TOPICS.items() for d, s in got[topic].items()
                    if s >= t and section[d] != home)
        same = sum(1 for topic, home in BBC_TOPICS.items() for d, s in got[topic].items()
                   if s >= t and section[d] == home)
        rows.append({"threshold": t, "alerts_in_own_section": same, "false_alerts_other_sections": false})
    pairs = sum(1 for topic, home in BBC_TOPICS.items() for d in section if section[d] != home)
    return {"unrelated_pairs": pairs, "thresholds": rows}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bbc", type=Path, default=BBC)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    from qabot.settings import Settings
    from qabot.wiring import build_encoder

    encoder = build_encoder(Settings(_env_file=None))
    out = {"sample": sample_section(encoder)}
    if args.bbc.exists():
        out["bbc"] = bbc_section(args.bbc, encoder)
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    s = out["sample"]
    print(f"Sample archive: {s['pairs']['related']} related, {s['pairs']['unrelated']} unrelated pairs")
    print("  lowest related:", *s["lowest_related"], sep="\n    ")
    print("  highest unrelated:", *s["highest_unrelated"], sep="\n    ")
    print("  threshold  recall  false alerts  F1")
    for r in s["thresholds"]:
        print(f"  {r['threshold']:9.2f}  {r['recall']:6.3f}  {r['false_alerts']:12d}  {r['f1']:.3f}")
    if "bbc" in out:
        b = out["bbc"]
        print(f"BBC: {len(BBC_TOPICS)} topics, {b['unrelated_pairs']} unrelated pairs")
        print("  threshold  alerts in own section  false alerts (other sections)")
        for r in b["thresholds"]:
            print(f"  {r['threshold']:9.2f}  {r['alerts_in_own_section']:21d}  {r['false_alerts_other_sections']:d}")


if __name__ == "__main__":
    main()
