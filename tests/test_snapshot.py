"""The corpus snapshot: a start reads only the files whose size or time changed (their bytes
then hashed), and what it gives back is exactly what reading every file gives."""

from __future__ import annotations

import os
from pathlib import Path

from collections import Counter

import numpy as np
import pytest

from bot.pipeline import Pipeline, load_settings_corpus
from bot.settings import Settings
from retrieval.ingest import load_corpus
from retrieval.passage import Document, Passage
from retrieval.store import passages_digest, snapshot_path
from tests.support.documents import write_documents

FIRST = "Tandvården i Kiruna kostar 12 miljoner kronor om året.\n\nDet sa nämnden i går.\n"
SECOND = "Hemtjänsten i Luleå har 40 anställda.\n\nFler ska anställas under våren.\n"


def settings_for(folder: Path, cache: Path) -> Settings:
    return Settings(_env_file=None, corpus_dir=folder, index_cache_dir=cache, semantic=False)


def same_size_other_text(path: Path, text: str) -> None:
    """Rewrite a file with other text of the same length and put its old times back."""
    stat = path.stat()
    assert len(text.encode()) == stat.st_size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def folder_of(tmp_path: Path) -> Path:
    """Two files written a minute ago: their times alone are trusted."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in (("a.txt", FIRST), ("b.txt", SECOND)):
        (folder / name).write_text(text, encoding="utf-8")
        past = (folder / name).stat().st_mtime_ns - 60 * 10**9
        os.utime(folder / name, ns=(past, past))
    return folder


def test_a_start_from_the_snapshot_equals_reading_every_file(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write_documents(folder)  # PDF, HTML, Word, Markdown and text
    settings = settings_for(folder, tmp_path / "cache")
    first = load_settings_corpus(settings)
    again = load_settings_corpus(settings)
    fresh = load_corpus(folder)
    assert snapshot_path(folder, tmp_path / "cache").is_file()
    for corpus in (first, again):
        assert corpus.documents == fresh.documents
        assert corpus.passages == fresh.passages
        assert corpus.problems == fresh.problems
        assert corpus.digest == passages_digest(fresh.passages)


def test_an_unchanged_file_is_not_read_again(tmp_path: Path):
    folder = folder_of(tmp_path)
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    # Same size and time: the snapshot trusts it, so the old text is what a start gives.
    same_size_other_text(folder / "a.txt", FIRST.replace("Kiruna", "Boden!"))
    corpus = load_settings_corpus(settings)
    assert corpus.documents["a.txt"].raw == FIRST


def test_a_changed_file_is_read_again_and_the_others_are_kept(tmp_path: Path):
    folder = folder_of(tmp_path)
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    same_size_other_text(folder / "a.txt", FIRST.replace("Kiruna", "Boden!"))
    (folder / "b.txt").write_text(SECOND + "\nEn ny rad om Luleå.\n", encoding="utf-8")
    (folder / "c.txt").write_text("Ett nytt dokument om Piteå.\n", encoding="utf-8")
    corpus = load_settings_corpus(settings)
    assert corpus.documents["a.txt"].raw == FIRST  # unchanged by size and time: not read
    assert "En ny rad om Luleå." in corpus.documents["b.txt"].raw
    assert set(corpus.documents) == {"a.txt", "b.txt", "c.txt"}
    assert corpus.digest == passages_digest(corpus.passages)
    assert list(corpus.passages)[2:] == load_corpus(folder).passages[2:]  # b.txt and c.txt
    (folder / "c.txt").unlink()
    assert set(load_settings_corpus(settings).documents) == {"a.txt", "b.txt"}


def test_a_file_written_just_before_a_start_is_checked_by_its_hash(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(FIRST, encoding="utf-8")  # written now: its time may recur
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    changed = FIRST.replace("Kiruna", "Boden!")
    same_size_other_text(folder / "a.txt", changed)  # same size, same time: only bytes differ
    assert load_settings_corpus(settings).documents["a.txt"].raw == changed


def test_same_size_at_another_time_is_hashed(tmp_path: Path):
    folder = folder_of(tmp_path)
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    changed = FIRST.replace("Kiruna", "Boden!")
    (folder / "a.txt").write_text(changed, encoding="utf-8")
    os.utime(folder / "a.txt", ns=(1, 1))
    assert load_settings_corpus(settings).documents["a.txt"].raw == changed
    os.utime(folder / "a.txt", ns=(2, 2))  # touched only: the same bytes, kept by their hash
    assert load_settings_corpus(settings).documents["a.txt"].raw == changed


def test_a_new_title_in_sources_toml_is_used_without_the_old_one(tmp_path: Path):
    folder = folder_of(tmp_path)
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    (folder / "sources.toml").write_text('[documents."a.txt"]\ntitle = "Tandvård i Kiruna"\n',
                                         encoding="utf-8")
    corpus = load_settings_corpus(settings)
    assert corpus.documents["a.txt"].title == "Tandvård i Kiruna"
    assert corpus.passages == load_corpus(folder).passages


def test_a_damaged_snapshot_is_read_from_the_files_and_rewritten(tmp_path: Path):
    folder = folder_of(tmp_path)
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    path = snapshot_path(folder, tmp_path / "cache")
    path.write_bytes(path.read_bytes()[:200])
    corpus = load_settings_corpus(settings)
    assert corpus.documents == load_corpus(folder).documents
    assert path.stat().st_size > 200


def test_citatbot_index_reads_every_file_again(tmp_path: Path, monkeypatch, capsys):
    from bot.terminal.cli import main

    folder = folder_of(tmp_path)
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(folder))
    monkeypatch.setenv("CITATBOT_INDEX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CITATBOT_SEMANTIC", "false")
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    same_size_other_text(folder / "a.txt", FIRST.replace("Kiruna", "Boden!"))
    assert main(["index"]) == 0
    assert "Boden!" in load_settings_corpus(settings).documents["a.txt"].raw


def count_made(monkeypatch: pytest.MonkeyPatch, *types: type) -> Counter:
    """How many objects of each type are made from now on."""
    made: Counter = Counter()
    for cls in types:
        def counted(self, *args, _init=cls.__init__, _cls=cls, **kwargs) -> None:
            made[_cls.__name__] += 1
            _init(self, *args, **kwargs)
        monkeypatch.setattr(cls, "__init__", counted)
    return made


def test_a_start_from_the_snapshot_makes_passages_and_documents_only_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 15: a 1M-passage start made a million Passage objects and decoded every
    document's text (seconds) before it answered one question, which needs a dozen."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(4):
        paragraphs = [f"Hemtjänsten i Kiruna har {i * 40 + j} anställda." for j in range(40)]
        (folder / f"d{i}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    settings = settings_for(folder, tmp_path / "cache")
    Pipeline.from_settings(settings)  # the cache is made
    made = count_made(monkeypatch, Passage, Document)
    pipeline = Pipeline.from_settings(settings)
    assert made == Counter()
    answer = pipeline.answer("Hur många anställda har hemtjänsten i Kiruna?")
    assert answer.quotes and 0 < made["Passage"] < 40 and made["Document"] <= 4
    assert pipeline.corpus.passages == load_corpus(folder).passages


def test_a_build_on_worker_processes_equals_a_build_in_one(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    """Issue 15: a first build reads files and analyses passages on every core
    (retrieval/parallel.py); it must build exactly what one process builds."""
    import retrieval.index
    import retrieval.ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    write_documents(folder)  # PDF, HTML, Word, Markdown: extracted in a worker too
    (folder / "tom.txt").write_text("\n", encoding="utf-8")  # no content: a problem
    (folder / "a.txt").write_text(FIRST, encoding="utf-8")
    settings = settings_for(folder, tmp_path / "cache").model_copy(update={"build_workers": 2})
    alone = Pipeline.from_settings(settings.model_copy(update={"index_cache": False,
                                                               "build_workers": 1}))
    monkeypatch.setattr(retrieval.ingest, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(retrieval.index, "POOL_MIN_PASSAGES", 1)
    for name, module in (("_made_here", retrieval.ingest), ("build_postings", retrieval.index)):
        def refuse(*args, _name=name, **kwargs):
            raise AssertionError(f"{_name}: built in this process, not by the workers")
        monkeypatch.setattr(module, name, refuse)
    pooled = Pipeline.from_settings(settings)
    assert pooled.corpus.documents == alone.corpus.documents
    assert pooled.corpus.passages == alone.corpus.passages
    assert pooled.corpus.problems == alone.corpus.problems
    ours, theirs = pooled.retriever.words.postings, alone.retriever.words.postings
    assert ours.vocabulary == theirs.vocabulary
    for name in ("indptr", "doc_ids", "tfs", "doc_len"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))


def test_a_reload_tells_changed_documents_apart_without_making_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 15: telling what a reload changed compared every document's text, which made
    (decoded) all 5,000 documents of a 1M corpus twice."""
    from types import SimpleNamespace

    from bot.reload import differences

    folder = folder_of(tmp_path)
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    old = load_settings_corpus(settings)
    (folder / "b.txt").write_text(SECOND + "\nFler ska anställas i Luleå.\n", encoding="utf-8")
    (folder / "c.txt").write_text("Ett nytt dokument om Piteå.\n", encoding="utf-8")
    new = load_settings_corpus(settings)
    made = count_made(monkeypatch, Document)
    assert differences(SimpleNamespace(corpus=old), SimpleNamespace(corpus=new)) == (
        ("c.txt",), ("b.txt",), ())
    assert made["Document"] <= 1  # b.txt's old document, to compare with its new one


def test_what_the_corpus_is_about_is_told_without_making_its_documents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 15: a decline says what the folder is about from its titles and publishers; read
    from the documents, that decoded all 5,000 texts of a 1M corpus at the first decline."""
    from bot.overview import overview

    folder = folder_of(tmp_path)
    (folder / "sources.toml").write_text(
        '[documents."a.txt"]\npublisher = "Norrbottens-Kuriren"\n', encoding="utf-8")
    settings = settings_for(folder, tmp_path / "cache")
    load_settings_corpus(settings)
    corpus = load_settings_corpus(settings)
    made = count_made(monkeypatch, Document)
    told = overview(corpus.documents)
    assert made == Counter()
    assert told == overview({name: corpus.documents[name] for name in corpus.documents})
    assert told.publishers == ("Norrbottens-Kuriren",) and told.count == 2
