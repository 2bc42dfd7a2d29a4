"""/start and /kallor with 1, 30 and 300 documents through the real bot and the fake Bot API
(which refuses a text over 4,096 characters, as Telegram does): each fits one message, and a
folder without a [corpus] description describes itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.answer import Answer
from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.render import Renderer
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.delivery import split_html
from retrieval.metadata import CorpusInfo
from retrieval.passage import Document
from tests.support.documents import write_many
from tests.support.fake_bot_api import MAX_TEXT, FakeBotApi, buttons_of, running

SIZES = (1, 30, 300)


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}docs")
def many(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    folder = tmp_path_factory.mktemp(f"many{request.param}")
    write_many(folder, request.param)
    return Pipeline.from_settings(Settings(_env_file=None, corpus_dir=folder, semantic=False,
                                           index_cache=False))


@pytest.fixture
async def many_bot(bot_settings: Settings, many: Pipeline) -> AsyncIterator[None]:
    async with running(build_application(bot_settings, ConversationService(many))):
        yield


async def test_start_fits_one_message_and_describes_the_folder(many_bot, many: Pipeline,
                                                               fake: FakeBotApi) -> None:
    fake.message(5, "/start")
    [welcome] = await fake.wait_sent(5)
    count = len(many.corpus.documents)
    assert len(welcome["text"]) <= MAX_TEXT
    assert f"{count} dokument" in welcome["text"]
    assert "Barometern" in welcome["text"]  # a publisher named without any [corpus] description
    assert ("/kallor visar alla" in welcome["text"]) == (count > 10)


async def test_kallor_pages_fit_one_message_each(many_bot, many: Pipeline,
                                                 fake: FakeBotApi) -> None:
    fake.message(6, "/kallor")
    [first] = await fake.wait_sent(6)
    assert len(first["text"]) <= MAX_TEXT
    count = len(many.corpus.documents)
    if count < 30:
        assert "Sida" not in first["text"]
        return
    assert "Sida 1 av " in first["text"] and "/kallor 2" in first["text"]
    pages = int(first["text"].split("Sida 1 av ")[1].split(".")[0])
    fake.message(6, f"källor {pages}")
    last = (await fake.wait_sent(6, 2))[1]
    assert len(last["text"]) <= MAX_TEXT
    assert f"Sida {pages} av {pages}." in last["text"]
    assert f"{count}. Långa köer" in last["text"]  # the last document is on the last page
    assert list(buttons_of(last)) == [f"◂ Sida {pages - 1}"]
    fake.press(first, buttons_of(first)["Sida 2 ▸"])
    second = (await fake.wait_sent(6, 3))[2]
    assert "Sida 2 av " in second["text"] and len(second["text"]) <= MAX_TEXT
    assert list(buttons_of(second)) == ["◂ Sida 1", "Sida 3 ▸"][: 1 + (pages > 2)]


def test_welcome_and_decline_describe_the_folder_by_its_titles_or_publishers(
        many: Pipeline) -> None:
    txt = Renderer(many.settings.prompts_dir, "txt")
    welcome = txt.message("welcome", info=many.corpus.info, documents=many.corpus.documents)
    count = len(many.corpus.documents)
    if count == 1:
        assert "ur 1 dokument. De handlar om ”Långa köer till socialtjänsten i Kalmar" in welcome
        return
    described = "De kommer från Barometern, Smålandsposten"
    assert described in welcome
    answer = many.answer("Vad kostar tandvården i Stockholm?")
    assert answer.kind == "decline" and described in txt.answer(answer, many.corpus)


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def unruly(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """45 documents as people's metadata can be: a 6,600-character title, a 6,600-character
    publisher, titles of emoji (two UTF-16 units each), and a [corpus] description of 6,600."""
    folder = tmp_path_factory.mktemp("unruly")
    write_many(folder, 45)
    tables = (folder / "sources.toml").read_text("utf-8").split("\n[")
    tables[0] = tables[0].replace('title = "Långa', f'title = "{"Lång titel " * 660}', 1)
    tables[1] = tables[1].replace('publisher = "', f'publisher = "{"Förlaget 😀 " * 600}', 1)
    for n in range(2, 45):
        tables[n] = tables[n].replace('title = "', f'title = "{"😀" * 190}', 1)
    description = "socialtjänsten och köerna till den 😀 " * 175
    (folder / "sources.toml").write_text(
        f'[corpus]\ndescription = "{description}"\n\n' + "\n[".join(tables), "utf-8")
    return Pipeline.from_settings(Settings(_env_file=None, corpus_dir=folder, semantic=False,
                                           index_cache=False))


async def test_every_message_fits_however_long_the_metadata(bot_settings: Settings,
                                                           unruly: Pipeline,
                                                           fake: FakeBotApi) -> None:
    """Issue 17.8: /start and /kallor failed from about 36 documents, or with one long title,
    and Telegram counts UTF-16 units: every message the bot builds fits, each reply in one."""
    asks = ["/start", "/kallor", "/kallor 2", "/kallor 3", "/kallor 9",
            "Vad kostar tandvården i Stockholm?",  # a decline: it describes the folder
            "Hur många nya handläggare vill förvaltningen i Nybro anställa?"]
    async with running(build_application(bot_settings, ConversationService(unruly))):
        for chat, text in enumerate(asks, 1):
            fake.message(chat, text)
            await fake.wait_sent(chat)
        await fake.settle()
    for chat, text in enumerate(asks, 1):
        [reply] = fake.sent_to(chat)  # one message each, none refused (an apology)
        assert units(reply["text"]) <= MAX_TEXT and "Förlåt" not in reply["text"], text
    assert "socialtjänsten och köerna" in fake.sent_to(1)[0]["text"]
    assert "Sida 9 av" not in fake.sent_to(5)[0]["text"]  # the last page, whatever its number
    assert "inte svara på" in fake.sent_to(6)[0]["text"]


def test_a_decline_over_twenty_thousand_documents_is_one_short_message(settings) -> None:
    """Issue 17.8: with 20k files a decline listed every title, in 160 messages. It names a few
    titles and publishers and says how many more."""
    documents = {f"d{n:05d}.txt": Document(f"d{n:05d}.txt", "", f"Rapport nummer {n} om köerna",
                                           publisher=f"Förlag {n % 700}")
                 for n in range(20_000)}
    html = Renderer(settings.prompts_dir, "html").message(
        "decline", answer=Answer("Vad kostar tandvården?", "decline"), documents=documents,
        info=CorpusInfo())
    assert len(split_html(html, MAX_TEXT)) == 1 and units(html) < 1000
    assert "697 andra utgivare" in html and "Rapport nummer 2 om" in html
