"""The semantic field on the path users take: other words and English find Swedish quotes,
CITATBOT_SEMANTIC=false is the lexical bot, and without a model citatbot still serves."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.pipeline import Pipeline

ENGLISH = "Why was the Feelgood investigation criticised?"
REASON = "inte blev en oberoende utredning"


def test_an_english_question_gets_its_swedish_quote(pipeline: Pipeline) -> None:
    answer = pipeline.answer(ENGLISH)
    assert answer.kind == "answer" and any(REASON in q.text for q in answer.quotes)


@pytest.mark.parametrize("question", ["What is the capital of France?", "How do I bake bread?",
                                      "< > & * _ [ ] ( ) ~ # + - = | { } . !"])
def test_off_topic_english_and_symbols_are_still_declined(pipeline: Pipeline, question: str) -> None:
    assert pipeline.answer(question).kind == "decline"


def test_semantic_off_is_the_lexical_bot(pipeline: Pipeline) -> None:
    lexical = Pipeline.from_settings(pipeline.settings.model_copy(update={"semantic": False}),
                                     corpus=pipeline.corpus)
    assert lexical.retriever.semantic is None and "semantic" not in lexical.retriever.stats
    # No closeness in its evidence: the English question is answered on its glossary words
    # (retrieval/bridge.py) alone, where the semantic bot also has the passages' cosines.
    found = lexical.retriever.search(lexical.query(ENGLISH), 5)
    assert found.evidence.similarity is None and not found.sentences
    assert pipeline.retriever.search(pipeline.query(ENGLISH), 5).evidence.similarity is not None
    assert any(REASON in q.text for q in lexical.answer(ENGLISH).quotes)
    assert lexical.answer("Vad kostar socialtjänsten i Umeå?").kind == "answer"


def test_above_the_passage_limit_search_is_lexical(pipeline: Pipeline) -> None:
    limited = Pipeline.from_settings(pipeline.settings.model_copy(
        update={"semantic_max_passages": len(pipeline.corpus.passages) - 1}), corpus=pipeline.corpus)
    assert limited.retriever.semantic is None
    assert limited.answer("Vad kostar socialtjänsten i Umeå?").kind == "answer"


def test_without_a_model_it_serves_lexically_and_says_so_once(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITATBOT_", "TELEGRAM_"))}
    env.update(CITATBOT_SEMANTIC_MODEL=str(tmp_path / "saknas.bin"),
               CITATBOT_INDEX_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "Vad kostar socialtjänsten i Umeå?"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0 and "1,6 miljard" in result.stdout
    warnings = [line for line in result.stderr.strip().splitlines()
                if not line.endswith("stycken …")]  # a slow build says so on a busy machine
    assert len(warnings) == 1 and "betydelsesökningen är avstängd" in warnings[0]

