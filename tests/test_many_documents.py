"""/start and /kallor with 1, 30 and 300 documents through the real bot and the fake Bot API
(which refuses a text over 4,096 characters, as Telegram does): each fits one message, and a
folder without a [corpus] description describes itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.render import Renderer
from bot.settings import Settings
from bot.telegram.app import build_application
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
