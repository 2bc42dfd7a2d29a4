"""Documents added, changed and removed while the bot runs: the real bot against the fake Bot
API, the real watcher (watchfiles) and the real index built anew beside the serving one and
swapped in whole; "stycke" on an answer whose text changed says so plainly."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.reload import Reloader, Swap
from bot.settings import Settings
from bot.telegram.app import build_application
from retrieval.semantic import E5Embedder
from tests.support.corpus import CORPUS, UMEA
from tests.support.fake_bot_api import FakeBotApi, running

UMEA_DOC = "000_d2445805d168f45a.txt"
KIRUNA = "Hur mycket kostar tandvården i Kiruna?"
KIRUNA_TEXT = ("Tandvård i Kiruna\n\nTandvården i Kiruna kostar 42 miljoner kronor om året, "
               "enligt regionens budget.\n")
NEW_FILE_SECONDS = 5.0  # the target: a new file is answerable within this


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (UMEA_DOC, "002_2ff962fd2406e8a4.txt"):
        shutil.copy(CORPUS / name, corpus / name)
    return corpus


async def test_a_file_added_changed_and_removed_while_the_bot_runs(
        bot_settings, fake: FakeBotApi, folder: Path) -> None:
    settings = Settings(_env_file=None, corpus_dir=folder, index_cache=False, semantic=False)
    service = ConversationService(Pipeline.from_settings(settings))
    swaps: list[Swap] = []
    swapped = threading.Event()

    def on_swap(swap: Swap) -> None:
        swaps.append(swap)
        swapped.set()

    reloader = Reloader(service, lambda old: Pipeline.from_settings(settings, previous=old),
                        on_swap=on_swap, debounce_ms=100).start()

    async def changed(write) -> Swap:
        swapped.clear()
        began = time.monotonic()
        write()
        await fake.wait_for(swapped.is_set, timeout=NEW_FILE_SECONDS)
        assert time.monotonic() - began < NEW_FILE_SECONDS
        return swaps[-1]

    try:
        async with running(build_application(bot_settings, service)):
            fake.message(1, KIRUNA)
            [declined] = await fake.wait_sent(1)
            assert "Kiruna" not in declined["text"].split("\n", 1)[-1] or "inte" in declined["text"]

            swap = await changed(lambda: (folder / "kiruna.txt").write_text(KIRUNA_TEXT, "utf-8"))
            assert swap.added == ("kiruna.txt",) and swap.documents == 3
            fake.message(1, KIRUNA)
            answered = (await fake.wait_sent(1, 2))[1]
            assert "42 miljoner kronor" in answered["text"]

            fake.message(2, UMEA)
            [umea] = await fake.wait_sent(2)
            assert "1,6 miljard" in umea["text"]
            loaded = (folder / UMEA_DOC).read_text("utf-8")
            swap = await changed(lambda: (folder / UMEA_DOC).write_text(
                loaded.replace("1,6 miljard", "1,7 miljard"), "utf-8"))
            assert swap.changed == (UMEA_DOC,)
            fake.message(2, "stycke 1")
            stale = (await fake.wait_sent(2, 2))[1]
            assert stale["text"].startswith("Dokumenten har ändrats sedan det svaret")
            fake.message(2, UMEA)
            fresh = (await fake.wait_sent(2, 3))[2]
            assert "1,7 miljard" in fresh["text"]

            swap = await changed(lambda: (folder / "kiruna.txt").unlink())
            assert swap.removed == ("kiruna.txt",)
            fake.message(3, KIRUNA)
            [gone] = await fake.wait_sent(3)
            assert "42 miljoner" not in gone["text"]
    finally:
        reloader.stop()


class CountingEmbedder(E5Embedder):
    """The real model, counting the texts it is asked to embed."""

    embedded = 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return super().embed_passages(texts)


def test_a_rebuild_embeds_only_the_new_text(folder: Path) -> None:
    for name in list(folder.iterdir()):
        name.unlink()
    (folder / "kiruna.txt").write_text(KIRUNA_TEXT, "utf-8")
    (folder / "gavle.txt").write_text("Bibliotek i Gävle\n\nBiblioteket i Gävle har öppet "
                                      "varje söndag.\n", "utf-8")
    (folder / "umea.txt").write_text("Bussar i Umeå\n\nBussarna i Umeå går var tionde minut.\n",
                                     "utf-8")
    settings = Settings(_env_file=None, corpus_dir=folder, index_cache=False)
    first = Pipeline.from_settings(settings)
    embedder = CountingEmbedder()
    first.retriever.semantic.embedder = embedder
    (folder / "lund.txt").write_text("Skolan i Lund\n\nSkolan i Lund fick 12 nya lärare.\n", "utf-8")
    second = Pipeline.from_settings(settings, previous=first)
    assert second.retriever.semantic.embedder is embedder
    assert embedder.embedded == 2  # lund.txt's one passage and its one sentence
    kiruna = second.answer(KIRUNA)
    assert kiruna.answered and "42 miljoner" in kiruna.quotes[0].text
    old = {p.id: i for i, p in enumerate(first.retriever.semantic.index.passages)}
    new = {p.id: i for i, p in enumerate(second.retriever.semantic.index.passages)}
    assert (second.retriever.semantic.index.passage_vectors[new["kiruna-p001"]]
            == first.retriever.semantic.index.passage_vectors[old["kiruna-p001"]]).all()


def test_mer_and_stycke_on_an_older_answer_still_work_when_its_text_did_not_change(
        folder: Path) -> None:
    settings = Settings(_env_file=None, corpus_dir=folder, index_cache=False, semantic=False)
    service = ConversationService(Pipeline.from_settings(settings))
    first = service.handle(1, UMEA)
    (folder / "kiruna.txt").write_text(KIRUNA_TEXT, "utf-8")
    service.swap(Pipeline.from_settings(settings, previous=service.pipeline))
    paragraph = service.handle(1, "stycke 1")
    assert paragraph.kind == "paragraph" and paragraph.quotes == first.quotes[:1]
    assert service.handle(1, "mer").kind in ("more", "more_none")
    (folder / UMEA_DOC).unlink()
    service.swap(Pipeline.from_settings(settings, previous=service.pipeline))
    assert service.handle(1, "stycke 1").kind == "changed"


def test_a_failed_reload_keeps_the_old_documents_and_the_watch_goes_on(folder: Path) -> None:
    settings = Settings(_env_file=None, corpus_dir=folder, index_cache=False, semantic=False)
    service = ConversationService(Pipeline.from_settings(settings))
    first = service.pipeline
    failures: list[Exception] = []
    swapped = threading.Event()

    def build(old: Pipeline) -> Pipeline:
        if not failures:  # the first change: a file vanishes while the folder is read
            raise FileNotFoundError(folder / "borta.txt")
        return Pipeline.from_settings(settings, previous=old)

    reloader = Reloader(service, build, on_failure=failures.append,
                        on_swap=lambda swap: swapped.set(), debounce_ms=50).start()
    try:
        (folder / "a.txt").write_text(KIRUNA_TEXT, "utf-8")
        deadline = time.monotonic() + NEW_FILE_SECONDS
        while not failures and time.monotonic() < deadline:
            time.sleep(0.02)
        assert service.pipeline is first and len(failures) == 1
        (folder / "b.txt").write_text(KIRUNA_TEXT.replace("Kiruna", "Gällivare"), "utf-8")
        assert swapped.wait(NEW_FILE_SECONDS)
        assert {"a.txt", "b.txt"} <= set(service.pipeline.corpus.documents)
    finally:
        reloader.stop()
