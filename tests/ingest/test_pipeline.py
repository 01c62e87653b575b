"""The write side: add, update, unchanged, prune, duplicates, bad input, model mismatch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embeddings.local import LocalStore as Store
from qabot.errors import ConfigError
from qabot.ingest.pipeline import index_dir, ingest
from qabot.settings import Settings
from qabot.wiring import open_service

ARTICLES = {
    "harbour.txt": (
        "Constanța harbour dredging finished ahead of schedule\n\n"
        "The dredging of the southern basin of Constanța harbour ended on Friday, two weeks early, "
        "the port authority said. Ships with a draught of 17 metres can now dock at the grain terminal.\n\n"
        "The works cost 96 million lei and were paid from the port's own budget."
    ),
    "library.txt": (
        "Brașov county library reopens after renovation\n\n"
        "The county library in Brașov reopened its reading rooms on Monday after an 18-month "
        "renovation that added a children's wing and 240 study places.\n\n"
        "Director Mirela Anghel said the library now holds 410,000 volumes."
    ),
}


def write_folder(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_add_then_unchanged_then_update_then_prune(tmp_path, settings, encoder):
    folder = write_folder(tmp_path / "archive", ARTICLES)

    first = ingest([str(folder)], settings, encoder)
    assert (first.added, first.updated, first.unchanged, first.removed) == (2, 0, 0, 0)
    assert first.chunks_embedded >= 2

    again = ingest([str(folder)], settings, encoder)
    assert (again.added, again.unchanged, again.chunks_embedded) == (0, 2, 0)

    (folder / "library.txt").write_text(
        ARTICLES["library.txt"].replace("410,000 volumes", "425,000 volumes"), encoding="utf-8"
    )
    changed = ingest([str(folder)], settings, encoder)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 1)
    service = open_service(settings, encoder)
    article = service.show("library.txt")
    assert "425,000 volumes" in article["text"] and "410,000" not in " ".join(article["chunks"])

    (folder / "harbour.txt").unlink()
    kept = ingest([str(folder)], settings, encoder)
    assert kept.removed == 0 and service.reload_if_changed() is False
    assert service.show("harbour.txt") is not None

    pruned = ingest([str(folder)], settings, encoder, prune=True)
    assert pruned.removed == 1
    service.reload_if_changed()
    assert service.show("harbour.txt") is None
    assert service.stats()["articles"] == 1
    assert [h.article_id for h in service.search("dredging of the harbour basin")][:1] != ["harbour.txt"]


def test_identical_bodies_are_stored_once_and_reported(tmp_path, settings, encoder):
    body = ARTICLES["harbour.txt"].split("\n\n", 1)[1]
    records = [
        {"id": "a-1", "title": "Harbour dredging ends", "text": body},
        {"id": "a-2", "title": "Dredging finished in Constanța", "text": body},
        {"id": "a-3", "title": "Library reopens", "text": ARTICLES["library.txt"]},
    ]
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")

    report = ingest([str(path)], settings, encoder)

    assert (report.added, report.duplicates) == (2, 1)
    assert Store.open(index_dir(settings)).docs.counts()["documents"] == 2


def test_bad_inputs_are_reported_and_the_rest_is_indexed(tmp_path, settings, encoder):
    folder = write_folder(tmp_path / "mixed", ARTICLES)
    (folder / "empty.txt").write_text("")
    (folder / "binary.html").write_bytes(b"\x00\x01\x02PNG\x00")
    (folder / "truncated.json").write_text('{"id": "x", "title": "Half", "text": "cut her')
    (folder / "lines.jsonl").write_text(
        json.dumps({"id": "j1", "title": "Tram depot", "text": "The new tram depot in Iași opened."})
        + "\n{not json\n"
    )

    report = ingest([str(folder), str(tmp_path / "missing-folder")], settings, encoder)

    failed = {Path(f.source).name: f.error for f in report.failed}
    assert {"empty.txt", "binary.html", "truncated.json", "missing-folder"} <= set(failed)
    assert any(f.source.endswith("lines.jsonl:2") for f in report.failed)
    assert all("\n" not in f.error for f in report.failed)
    assert report.added == 3  # both text pages and the good JSONL line


def test_a_failed_refresh_keeps_what_is_stored(tmp_path, settings, encoder):
    folder = write_folder(tmp_path / "archive", ARTICLES)
    ingest([str(folder)], settings, encoder)
    (folder / "library.txt").write_bytes(b"PK\x03\x04\x00\x00 not text any more")

    report = ingest([str(folder)], settings, encoder, prune=True)

    assert report.failed and report.removed == 0
    assert open_service(settings, encoder).show("library.txt") is not None


def test_an_index_built_with_another_model_is_refused_with_the_rebuild_command(
    tmp_path, settings, encoder
):
    ingest([str(write_folder(tmp_path / "archive", ARTICLES))], settings, encoder)
    manifest_path = Store.open(index_dir(settings)).path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["model"] = "some-org/other-model"
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(ConfigError) as error:
        open_service(settings, encoder)
    assert "some-org/other-model" in str(error.value)
    assert "qabot ingest --rebuild" in str(error.value)


def test_manifest_describes_the_index(tmp_path, settings, encoder):
    ingest([str(write_folder(tmp_path / "archive", ARTICLES))], settings, encoder)
    manifest = Store.open(index_dir(settings)).manifest
    assert manifest["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest["dim"] == 384
    assert manifest["counts"]["documents"] == 2
    assert manifest["index"] == "flat"
    assert manifest["schema_version"] >= 1


def test_the_configured_index_type_is_built_and_recorded(tmp_path, encoder):
    settings = Settings(data_dir=tmp_path / "data", index_type="hnsw")
    ingest([str(write_folder(tmp_path / "archive", ARTICLES))], settings, encoder)
    service = open_service(settings, encoder)
    assert service.stats()["index"] == "hnsw"
    assert service.search("Constanța harbour dredging")[0].article_id == "harbour.txt"
