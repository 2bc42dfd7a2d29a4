"""The StateStore contract, the same cases against the in-memory store, fakeredis and a real
Redis (under a key prefix of the test's own, removed afterwards)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest

from bot.redis_store import RedisStore
from bot.store import LockBusy, MemoryStore, StateStore, StoreUnavailable
from tests.support.servers import OwnRedis, require_redis


@pytest.fixture(params=["memory", "fakeredis", "redis"])
async def store(request) -> AsyncIterator[StateStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "fakeredis":
        import fakeredis

        client = fakeredis.FakeAsyncRedis()
        yield RedisStore(client, prefix="t:")
        await client.aclose()
        return
    prefix = f"citatbot-test-{secrets.token_hex(4)}:"
    real = RedisStore.from_url(require_redis(), prefix=prefix)
    yield real
    keys = [k async for k in real.client.scan_iter(match=prefix + "*")]
    if keys:
        await real.client.delete(*keys)
    await real.close()


async def test_values_are_json_and_expire(store: StateStore) -> None:
    assert await store.get("a") is None
    await store.set("a", {"question": "Vad?", "ids": [1, 2]}, ttl=0.15)
    assert await store.get("a") == {"question": "Vad?", "ids": [1, 2]}
    await asyncio.sleep(0.25)
    assert await store.get("a") is None


async def test_claim_is_set_once_until_it_expires(store: StateStore) -> None:
    assert await store.claim("u:1", ttl=0.15)
    assert not await store.claim("u:1", ttl=0.15)
    await asyncio.sleep(0.25)
    assert await store.claim("u:1", ttl=5)
    await store.delete("u:1")
    assert await store.claim("u:1", ttl=5)


async def test_a_sliding_window_counts_up_to_its_limit(store: StateStore) -> None:
    hits = [await store.hit("w", limit=2, window=0.3) for _ in range(3)]
    assert [h.allowed for h in hits] == [True, True, False]
    assert 0 < hits[2].wait <= 0.3
    assert (await store.hit("other", limit=2, window=0.3)).allowed  # windows are per key
    await asyncio.sleep(0.35)
    assert (await store.hit("w", limit=2, window=0.3)).allowed


async def test_a_lock_is_exclusive_and_waits_in_turn(store: StateStore) -> None:
    order: list[str] = []

    async def hold(name: str, seconds: float) -> None:
        async with store.lock("chat:1", timeout=5, wait=2):
            order.append(f"{name} in")
            await asyncio.sleep(seconds)
            order.append(f"{name} out")

    first = asyncio.create_task(hold("a", 0.1))
    await asyncio.sleep(0.02)
    await hold("b", 0)
    await first
    assert order == ["a in", "a out", "b in", "b out"]


async def test_a_busy_lock_gives_up_after_its_wait(store: StateStore) -> None:
    async with store.lock("chat:2", timeout=5, wait=1):
        with pytest.raises(LockBusy):
            async with store.lock("chat:2", timeout=5, wait=0.05):
                pass
    async with store.lock("chat:2", timeout=5, wait=0.05):  # free again
        pass


async def test_a_dead_holders_lock_expires() -> None:
    """A replica killed while holding a chat's lock: the lock frees itself after its timeout."""
    import fakeredis

    store = RedisStore(fakeredis.FakeAsyncRedis(), prefix="t:")
    from redis.asyncio.lock import Lock

    assert await Lock(store.client, "t:chat:3", timeout=0.2).acquire()  # never released
    async with store.lock("chat:3", timeout=5, wait=1):
        pass


def test_the_memory_store_forgets_beyond_its_size() -> None:
    store = MemoryStore(max_keys=2)

    async def run() -> list:
        for key in "abc":
            await store.set(key, key, ttl=60)
        return [await store.get(key) for key in "abc"]

    assert asyncio.run(run()) == [None, "b", "c"]


async def test_an_unreachable_redis_is_store_unavailable(tmp_path) -> None:
    server = OwnRedis(tmp_path).start()
    store = RedisStore.from_url(server.url, prefix="t:")
    try:
        await store.set("k", 1, ttl=60)
        server.stop()
        with pytest.raises(StoreUnavailable):
            await store.get("k")
        server.start()
        assert await store.get("k") is None  # back, empty: nothing is kept on disk
        await store.set("k", 2, ttl=60)
        assert await store.get("k") == 2
    finally:
        await store.close()
        server.stop()


async def test_chat_state_is_stored_as_references_and_a_new_corpus_starts_afresh(pipeline) -> None:
    from bot.chat_states import ChatStates, QuoteCodec
    from bot.conversation import ConversationService
    from tests.support.corpus import UMEA

    store, codec = MemoryStore(), QuoteCodec(pipeline.corpus)
    service, state = ConversationService(pipeline), None
    states = ChatStates(store, codec)
    state = await states.load(1)
    first = service.handle(1, UMEA, state)
    await states.save(1, state)
    stored = await store.get(states.key(1))
    assert first.quotes[0].text not in str(stored)  # ids and offsets, not the text
    more = service.handle(1, "mer", await states.load(1))
    assert more.kind == "more" and more.quotes == first.candidates[len(first.quotes):][:3]
    other = ChatStates(store, QuoteCodec(pipeline.corpus, version="another"))
    assert (await other.load(1)).question == ""  # another index version: no state


async def test_a_follow_up_reads_the_subject_kept_in_the_store(pipeline) -> None:
    """A replica that answers the follow-up has only the store: the swapped subject travels."""
    from bot.chat_states import ChatStates, QuoteCodec
    from bot.conversation import ConversationService

    states = ChatStates(MemoryStore(), QuoteCodec(pipeline.corpus))
    one, two = ConversationService(pipeline), ConversationService(pipeline)
    state = await states.load(5)
    one.handle(5, "Hur många lex Sarah-anmälningar har utretts i Växjö?", state)
    await states.save(5, state)
    state = await states.load(5)
    two.handle(5, "Och i Umeå?", state)
    await states.save(5, state)
    kept = await states.load(5)
    assert "Växjö" not in kept.subject and "lex Sarah" in kept.subject
    assert kept.question.endswith("Och i Umeå?")


async def test_a_stored_quote_whose_document_changed_says_so(tmp_path) -> None:
    """After a reload the state is still found (same version), but a quote whose text is no
    longer in the document is not shown again: "mer" says the documents changed."""
    import shutil

    from bot.chat_states import ChatStates, QuoteCodec
    from bot.conversation import ConversationService
    from bot.pipeline import Pipeline
    from bot.settings import Settings
    from retrieval.ingest import load_corpus
    from tests.support.corpus import CORPUS, UMEA

    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    settings = Settings(_env_file=None, corpus_dir=folder, index_cache=False, semantic=False)
    service = ConversationService(Pipeline.from_settings(settings))
    codec = QuoteCodec(service.pipeline.corpus)
    states = ChatStates(MemoryStore(), codec)
    state = await states.load(9)
    first = service.handle(9, UMEA, state)
    await states.save(9, state)
    doc = folder / first.candidates[len(first.quotes)].doc
    doc.write_text(doc.read_text("utf-8").replace("Socialtjänsten", "Socialförvaltningen"), "utf-8")
    service.swap(Pipeline.from_settings(settings))
    codec.follow(load_corpus(folder))
    assert service.handle(9, "mer", await states.load(9)).kind == "changed"
