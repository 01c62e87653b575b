"""The speed benchmark (benchmarks/bench.py) runs end to end on a few fictional articles.

No timings are asserted: the machine is shared. What is checked is what a reader of the report
relies on: both pipelines saw the same articles, the stored vectors are the ones fp32 would give,
every section reports its figures, and a missing corpus is a clean skip.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"

ARTICLES = [
    {"id": "harbour/001", "title": "Harbour town opens floating library",
     "text": "The town of Kelmsby opened a floating library on its old ferry on Tuesday. "
             "The boat holds 4,000 books and will visit six villages along the estuary each month. "
             "Librarian Mara Ostrow said the first week brought 900 visitors.\n\n"
             "The council paid 120,000 crowns to refit the ferry, which had been idle since 1998. "
             "Volunteers painted the hull in the colours of the town crest."},
    {"id": "science/002", "title": "Glass frogs found on northern ridge",
     "text": "Researchers from Tamsin University recorded a colony of glass frogs on the Orrin ridge. "
             "The frogs had not been seen north of the river for forty years. "
             "Dr Ilse Varga said the wet spring probably helped the colony spread.\n\n"
             "The team counted 37 adults in three nights of surveys and will return in autumn."},
    {"id": "sport/003", "title": "Rowing club wins the Lantern Cup",
     "text": "The Kelmsby rowing club won the Lantern Cup by two lengths on Saturday. "
             "Their crew of eight finished the 2,000 metre course in six minutes and ten seconds. "
             "Coach Bram Tillery praised the crew's late sprint past the rival boat from Hollin."},
    {"id": "business/004", "title": "Bakery chain plans twelve new shops",
     "text": "The bakery chain Crumb & Co will open twelve shops in the coastal region next year. "
             "Chief executive Nell Parry said sales of rye bread rose by a third in the last quarter. "
             "The expansion will create about 150 jobs, mostly for bakers and drivers."},
]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("qabot_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def sections(bench) -> SimpleNamespace:
    """The section modules beside bench.py (loading bench.py put their folder on sys.path)."""
    names = ("common", "ingest_speed", "growth")
    return SimpleNamespace(**{name: importlib.import_module(name) for name in names})


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_character_splitter_overlaps_and_reaches_the_end(sections) -> None:
    char_split = sections.common.char_split
    text = "".join(chr(ord("a") + i % 26) for i in range(2500))
    parts = char_split(text, 1000, 200)
    assert [len(p) for p in parts] == [1000, 1000, 900]
    assert parts[0][-200:] == parts[1][:200]
    assert parts[-1].endswith(text[-50:])
    assert char_split("short", 1000, 200) == ["short"]
    with pytest.raises(ValueError, match="must exceed the overlap"):
        char_split(text, 100, 100)


def test_missing_corpus_is_a_clean_skip(bench, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert bench.main(["--corpus", str(tmp_path / "absent.jsonl")]) == 0
    assert "not found" in capsys.readouterr().out


def test_synthetic_copies_are_new_articles_not_duplicates(sections) -> None:
    copies = list(sections.growth.synthetic_records(ARTICLES, 10))
    assert len({c["id"] for c in copies}) == 10
    assert len({c["text"] for c in copies}) == 10
    assert {c["title"] for c in copies} == {a["title"] for a in ARTICLES}


def test_variant_specs_always_start_with_the_defaults(sections) -> None:
    assert sections.ingest_speed.variants("") == [("default", {})]
    assert sections.ingest_speed.variants("small:QABOT_CHUNK_TOKENS=64,OMP_NUM_THREADS=1") == [
        ("default", {}), ("small", {"QABOT_CHUNK_TOKENS": "64", "OMP_NUM_THREADS": "1"})]


def test_full_run_on_fictional_articles(bench, sections, tmp_path: Path,
                                        capsys: pytest.CaptureFixture) -> None:
    corpus = sections.common.write_jsonl(ARTICLES, tmp_path / "articles.jsonl")
    code = bench.main(["--corpus", str(corpus), "--json", "--sample", "2", "--rounds", "1",
                       "--no-onnx", "--queries", "4", "--fidelity-sample", "20", "--growth", "60",
                       "--variants", ""])
    assert code == 0
    out = json.loads(capsys.readouterr().out)

    assert out["startup"]["heavy_modules_after_import"] == "[]"  # `qabot --help` stays light
    baseline, first, second, ours = out["ingest"]  # the mean of the runs before and after qabot's
    assert baseline["name"].startswith("baseline") and ours["name"] == "qabot (default)"
    assert baseline["seconds"] == pytest.approx((first["seconds"] + second["seconds"]) / 2, abs=0.1)
    assert first["chunks"] == second["chunks"] == baseline["chunks"]
    assert ours["articles_per_s"] > 0 and baseline["chunks"] == sum(
        len(sections.common.char_split(sections.common.baseline_text(a))) for a in ARTICLES)
    # our passages are smaller than 1,000 characters, so there are at least as many
    assert ours["chunks"] >= baseline["chunks"]
    assert ours["speed_vs_baseline"] > 0
    assert ours["cpu_s"] > 0 and baseline["cpu_s"] > 0 and ours["cpu_vs_baseline"] > 0

    # the stored vectors are (within bf16 rounding) the fp32 vectors of title + passage
    assert out["fidelity"]["chunks"] == ours["chunks"]
    assert out["fidelity"]["mean"] >= 0.999

    rows = {r["name"]: r for r in out["candidates"]["rows"]}
    assert rows["bf16 b64 t2"]["cosine_vs_fp32_mean"] >= 0.999
    assert rows["baseline fp32 b32 t2 (1000/200 chars)"]["speed_vs_baseline"] == 1.0
    assert rows["bf16 token-sorted b64 t2"]["cosine_vs_fp32_mean"] >= 0.999
    assert rows["openvino bf16 token-sorted b32 t2"]["cosine_vs_fp32_mean"] >= 0.999
    assert rows["openvino bf16 b32 t2 chunks 256/1"]["chunks"] <= rows["fp32 b32 t2"]["chunks"]
    # "auto" overlap repeats fewer sentences than overlap 1, and none more than overlap 0
    tokens = {ov: rows[f"openvino bf16 b32 t2 chunks 128/{ov}"]["tokens"] for ov in ("auto", 0)}
    assert tokens[0] <= tokens["auto"] <= rows["fp32 b32 t2"]["tokens"]

    assert [r["threads"] for r in out["latency"]] == [1, 2]
    for r in out["latency"]:
        assert r["search"]["n"] == 4 and r["ask"]["n"] == 4
        assert 0 < r["search"]["p50_ms"] <= r["search"]["p95_ms"]
        assert 100 < r["max_rss_mb"] <= r["ru_maxrss_mb"]

    (growth,) = out["growth"]
    assert growth["chunks"] >= 30 and growth["articles"] > len(ARTICLES)
    assert growth["ingest_s_estimate"] >= growth["storage_s"]
