"""The persisted index: reused on start, rebuilt when the corpus or analyzer changes, never
trusted when corrupt."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from bot.terminal.cli import main
from bot.pipeline import Pipeline
from bot.terminal.progress import BuildProgress
from bot.settings import DEFAULT_CORPUS, Settings
from retrieval.analyzer import SwedishAnalyzer
from retrieval.index import PassageIndex
from retrieval.mapped import mapped_npz
from retrieval.store import index_path, cache_key, load_postings, save_npz, save_postings

QUESTION = "Vad kostar socialtjänsten i Umeå?"
NEW_DOC = ("Nytt dokument\n\nFamiljecentralen i Holmsund öppnade i mars och tar emot föräldrar "
           "med barn under sex år varje vardag.\n")


@pytest.fixture()
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus that a test may change."""
    return Path(shutil.copytree(DEFAULT_CORPUS, tmp_path / "corpus"))


@pytest.fixture()
def local_settings(corpus_dir: Path) -> Settings:
    return Settings(_env_file=None, corpus_dir=corpus_dir, semantic=False)


def ranking(pipeline: Pipeline, question: str = QUESTION) -> list[tuple[str, float]]:
    """The ids and scores a question ranks, for comparing two indexes."""
    hits = pipeline.retriever.search(pipeline.query(question), 10).hits
    return [(h.passage.id, h.score) for h in hits]


def fresh(settings: Settings) -> Pipeline:
    """A pipeline whose index was just built from the corpus, bypassing the cache."""
    return Pipeline.from_settings(settings.model_copy(update={"index_cache": False}))


def test_cache_is_written_beside_the_corpus_and_reused(local_settings: Settings, corpus_dir: Path):
    first = Pipeline.from_settings(local_settings)
    path = index_path(local_settings.corpus_dir)
    assert path.parent == corpus_dir.parent / ".cache" / "citatbot"
    assert path.exists() and not first.retriever.stats["words"].reused
    second = Pipeline.from_settings(local_settings)
    assert second.retriever.stats["words"].reused and second.retriever.stats["words"].bytes == path.stat().st_size
    assert ranking(second) == ranking(first)
    assert second.retriever.words.vocabulary == first.retriever.words.vocabulary
    hit = first.retriever.words.search(first.query(QUESTION).bm25_terms, 1)[0].passage
    assert second.retriever.words.terms_of(hit) == first.retriever.words.terms_of(hit)


def add_file(folder: Path) -> None:
    (folder / "005_nytt.txt").write_text(NEW_DOC, encoding="utf-8")


def change_file(folder: Path) -> None:
    path = folder / "000_d2445805d168f45a.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + NEW_DOC, encoding="utf-8")


def remove_file(folder: Path) -> None:
    (folder / "004_d5b68a9dab65ddce.txt").unlink()


@pytest.mark.parametrize("edit", [add_file, change_file, remove_file], ids=lambda f: f.__name__)
def test_corpus_edit_rebuilds(local_settings: Settings, corpus_dir: Path, edit):
    Pipeline.from_settings(local_settings)
    edit(corpus_dir)
    after = Pipeline.from_settings(local_settings)
    assert not after.retriever.stats["words"].reused
    assert ranking(after) == ranking(fresh(local_settings))
    assert ranking(after, "familjecentralen i Holmsund") == ranking(
        fresh(local_settings), "familjecentralen i Holmsund")
    assert Pipeline.from_settings(local_settings).retriever.stats["words"].reused


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garbage(path: Path) -> None:
    path.write_bytes(b"not an index at all")


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(200, len(data) - 200, 997):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def out_of_range_ids(path: Path) -> None:
    """Intact zip, right key, but a posting points past the last passage."""
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["doc_ids"] = arrays["doc_ids"].copy()
    arrays["doc_ids"][-1] = 10**6
    np.savez(path, **arrays)


def pickled_member(path: Path) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["vocabulary"] = np.array([{"a": 1}], dtype=object)
    np.savez(path, **arrays)


def stale_key(path: Path) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["header"] = np.frombuffer(b'{"format": 1, "key": "old"}', dtype=np.uint8)
    np.savez(path, **arrays)


def zip_bomb(path: Path) -> None:
    """Issue 17.16: a small deflated member that would inflate to gigabytes (here 400 MB of
    zeros in under 1 MB); it must be refused before it is inflated."""
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["doc_ids"] = np.zeros(100_000_000, dtype=np.int32)
    np.savez_compressed(path, **arrays)
    assert path.stat().st_size < 2_000_000


@pytest.mark.parametrize(
    "damage", [truncate, garbage, flip_bytes, out_of_range_ids, pickled_member, stale_key,
               zip_bomb],
    ids=lambda f: f.__name__)
def test_corrupt_or_stale_cache_is_rebuilt(local_settings: Settings, damage):
    want = ranking(Pipeline.from_settings(local_settings))
    path = index_path(local_settings.corpus_dir)
    damage(path)
    again = Pipeline.from_settings(local_settings)
    assert not again.retriever.stats["words"].reused
    assert ranking(again) == want
    assert Pipeline.from_settings(local_settings).retriever.stats["words"].reused


def test_other_analyzer_gets_other_key(pipeline: Pipeline):
    class NoStopWords(SwedishAnalyzer):
        def __init__(self) -> None:
            super().__init__()
            self._stop = frozenset()

    passages = pipeline.retriever.words.passages
    assert cache_key(passages, SwedishAnalyzer()) == cache_key(passages, SwedishAnalyzer())
    assert cache_key(passages, NoStopWords()) != cache_key(passages, SwedishAnalyzer())


def fresh_postings(pipeline: Pipeline):
    """The bundled corpus's postings built in memory: the pipeline's own may be a cached index
    with a segment (retrieval/segments.py), after a change to how files are read."""
    words = pipeline.retriever.words
    return PassageIndex(words.passages, pipeline.analyzer, b=words.bm25.b).postings


def test_load_refuses_another_key(tmp_path: Path, pipeline: Pipeline):
    path = tmp_path / "index.npz"
    assert save_postings(path, fresh_postings(pipeline), "k1") == path.stat().st_size
    assert load_postings(path, "k2") is None
    loaded = load_postings(path, "k1")
    words = pipeline.retriever.words
    index = PassageIndex(words.passages, pipeline.analyzer, postings=loaded, b=words.bm25.b)
    terms = pipeline.query(QUESTION).bm25_terms
    assert index.search(terms, 5) == pipeline.retriever.words.search(terms, 5)
    assert not list(tmp_path.glob("*.tmp")) and zipfile.is_zipfile(path)


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path, pipeline: Pipeline):
    import tracemalloc

    path = tmp_path / "index.npz"
    save_postings(path, fresh_postings(pipeline), "k1")
    zip_bomb(path)
    tracemalloc.start()
    try:
        assert load_postings(path, "k1") is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000  # inflating the member would take 400 MB


def test_arrays_are_mapped_from_the_file_as_they_were_saved(tmp_path: Path):
    """Issue 15: a start maps the index and snapshot instead of reading 0.3 GB; what it maps
    must be exactly what was saved (kinds, shapes, C and Fortran order, empty arrays)."""
    arrays = {"ints": np.arange(7, dtype=np.int32), "pairs": np.arange(6).reshape(3, 2),
              "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
              "empty": np.empty(0, dtype=np.uint8), "flags": np.array([True, False])}
    path = tmp_path / "a.npz"
    save_npz(path, arrays)
    mapped = mapped_npz(path)
    assert set(mapped) == set(arrays)
    for name, array in arrays.items():
        assert mapped[name].dtype == array.dtype and mapped[name].shape == array.shape
        np.testing.assert_array_equal(mapped[name], array)
        assert not mapped[name].flags.writeable  # a view of the file, never changed by us


def test_the_cache_is_readable_by_its_owner_only(local_settings: Settings):
    """Issue 17.3: the cache holds the corpus's text; it was written world-readable."""
    Pipeline.from_settings(local_settings)
    path = index_path(local_settings.corpus_dir)
    assert path.stat().st_mode & 0o777 == 0o600


def test_cache_off_writes_nothing(corpus_dir: Path):
    settings = Settings(_env_file=None, corpus_dir=corpus_dir, index_cache=False, semantic=False)
    assert not Pipeline.from_settings(settings).retriever.stats["words"].reused
    assert not (corpus_dir.parent / ".cache").exists()


def test_index_command_rebuilds_and_prints_stats(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(corpus_dir))
    monkeypatch.setenv("CITATBOT_SEMANTIC", "false")  # the word index is what this test counts
    monkeypatch.setenv("CITATBOT_INDEX_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["index"]) == 0
    assert main(["index"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 6 and out[3].startswith("Index byggt på ")
    built = fresh(Settings(_env_file=None, corpus_dir=corpus_dir, semantic=False))
    n = [f"{len(x):,}".replace(",", " ") for x in (built.corpus.documents, built.corpus.passages,
                                                     built.retriever.words.vocabulary)]
    counts = f"{n[0]} dokument, {n[1]} stycken, {n[2]} termer i ordförrådet"
    assert counts in out[3]
    files = sorted((tmp_path / "cache").glob("index-corpus-*.npz"))
    assert [f.name.endswith("-grams.npz") for f in files] == [True, False]
    assert out[4].startswith(f"Sparat i {files[1]} (")
    assert out[5].startswith("Teckenindex (4-gram) byggt på ") and str(files[0]) in out[5]


def test_a_build_says_so_on_a_terminal_and_after_a_second_elsewhere() -> None:
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    now = [0.0]
    label = lambda field, total: f"Indexerar {total} {field}"  # noqa: E731
    for stream, lines in ((Terminal(), ["Indexerar 10 words"]), (io.StringIO(), [])):
        update = BuildProgress(label, stream=stream, bar=False, clock=lambda: now[0])("words", 10)
        now[0] = 0.0
        update(0)
        update(10)
        assert stream.getvalue().splitlines() == lines
    slow, now[0] = io.StringIO(), 0.0
    update = BuildProgress(label, stream=slow, bar=False, clock=lambda: now[0])("semantic", 10)
    update(0)
    now[0] = 1.5
    update(5)
    update(10)
    assert slow.getvalue().splitlines() == ["Indexerar 10 semantic"]  # once, when it got slow
