"""What a question asks for: a figure, a date, a reason; also typed without å/ä/ö."""

from __future__ import annotations

import re

import pytest

from bot.asks import (ASKS_FINDING, ASKS_LIST, ASKS_NAME, ASKS_PUBLISHED, ASKS_REPLIED,
                      HOLDS_FINDING, HOLDS_LIST, HOLDS_NAME)
from bot.missing import ASKS_MONEY
from retrieval.asks import (ASKS_DATE, ASKS_NUMBER, ASKS_WHY, HAS_DATE, HAS_DURATION, HAS_NUMBER,
                            HAS_REASON)


@pytest.mark.parametrize("question, number, date, why", [
    ("Hur många socialsekreterare slutade?", True, False, False),
    ("hur manga arenden saknade handlaggare", True, False, False),
    ("När omorganiserades arbete och välfärd?", False, True, False),
    ("nar kom beslutet", False, True, False),
    ("sen nar har det varit ohallbart", False, True, False),
    ("Vad händer när en kommun bygger upp en social skuld?", False, False, False),
    ("Vilket år gjordes utredningen?", False, True, False),
    ("varfor kritiseras utredningen", False, False, True),
    ("Vad kostar socialtjänsten?", True, False, False),
    ("How much does social services in Umeå cost?", True, False, False),
    ("When was the reorganisation?", False, True, False),
    ("why do social workers quit", False, False, True),
    ("Where is the new unit? And when?", False, False, False),  # "when" leads no question here
    ("Hur gammal var flickan?", True, False, False),  # an age is a figure
    ("how old was the girl", True, False, False),
    ("Vad skulle en ny IT-plattform kosta?", True, False, False),  # the infinitive too
    ("umeå socialtjänst budget 2024 belopp", True, False, False),  # a telegraphic amount
])
def test_what_a_question_asks_for(question: str, number: bool, date: bool, why: bool) -> None:
    assert (bool(ASKS_NUMBER.search(question)), bool(ASKS_DATE.search(question)),
            bool(ASKS_WHY.search(question))) == (number, date, why)


def test_an_english_question_gets_the_figure_first(pipeline) -> None:
    """English asking words count as Swedish ones: the sentence with the figure leads."""
    answer = pipeline.answer("How much does social services in Umeå cost?")
    assert "1,6 miljarder" in answer.quotes[0].text


@pytest.mark.parametrize("question, published", [
    ("När publicerades artikeln?", True), ("nar kom annonsen ut", True),
    ("When was the article published?", True), ("När omorganiserades socialen?", False),
    ("När kom beslutet?", False)])
def test_a_date_question_about_the_document_itself(question: str, published: bool) -> None:
    assert bool(ASKS_PUBLISHED.search(question)) is published


@pytest.mark.parametrize("question, replied", [
    ("När svarade Hägglund på Gracchus kommentar?", True),
    ("when did the blog author answer the comment", True), ("När publicerades artikeln?", False)])
def test_a_date_question_about_a_reply(question: str, replied: bool) -> None:
    """A reply's date is its header's; it is no question about when the text was published."""
    assert bool(ASKS_REPLIED.search(question)) is replied
    assert not (replied and ASKS_PUBLISHED.search(question))


@pytest.mark.parametrize("text, duration", [
    ("Jag har jobbat med förändringsarbete i 20 år", True), ("sedan 2019", True),
    ("det senaste halvåret", True), ("i tre år", True),
    ("hittills i år utrett elva anmälningar", False), ("1150 pågående ärenden", False)])
def test_a_duration_is_a_length_of_time_not_a_figure(text: str, duration: bool) -> None:
    assert bool(HAS_DURATION.search(text)) is duration


def test_what_a_sentence_holds() -> None:
    assert HAS_DATE.search("Svar på Gracchus kommentar 29/4-2023")
    assert HAS_DATE.search("en större omorganisation i januari 2017")
    assert not HAS_DATE.search("Det tuffare ekonomiska klimatet har gjort att rörligheten minskat.")
    assert HAS_REASON.search("Det blev ingen oberoende utredning eftersom kommunen är kund.")


@pytest.mark.parametrize("sentence, number", [
    ("Det blev en större omorganisation.", False),  # the article is no figure
    ("Det var ett tufft år för en socialsekreterare.", False),
    ("Elva anmälningar har utretts.", True),
    ("Socialtjänsten får nära 1,6 miljard.", True),
    ("Var tredje socionom vill sluta.", True),
])
def test_what_counts_as_a_figure(sentence: str, number: bool) -> None:
    assert bool(HAS_NUMBER.search(sentence)) == number


@pytest.mark.parametrize("sentence, figure", [
    ("Växjö • Publicerad 7 november 2018", False),  # a dateline's digits are a date
    ("Publicerad: 7 april 2021, 12:19", False),
    ("I slutet av september hade enheten 1150 pågående ärenden.", True),
    ("Under 2021 slutade 27 socialsekreterare.", True),
    ("Socionom genomförde 23–27 augusti 2018 en undersökning.", False),  # days of a survey
    ("mellan 12 och 15 personer", True),
])
def test_a_date_is_no_figure_for_a_how_many_question(sentence: str, figure: bool) -> None:
    from retrieval.asks import holds_figure

    assert holds_figure(sentence) == figure


@pytest.mark.parametrize("question, name", [
    ("Vad heter socialtjänstens högsta chef i Umeå?", True),
    ("vem ar ordforande i namnden", True),
    ("Vem efterträdde enhetschefen i Växjö?", True),
    ("Vem efterträdde Andreas Lundgren som ordförande i nämnden?", True),
    ("vem ersatte hagglund", True),
    ("Vem vill Jan Hägglund ha som ny ordförande för nämnden?", True),
    ("vem anställdes som chef för enheten", True),
    ("Vilken journalist skrev granskningen?", True),
    ("vad heter pappan till flickan", True),
    ("Which Folkbladet journalist wrote it?", True),
    ("Who is the head of social services in Umeå?", True),
    ("Vad heter den nya avdelningen för arbetsmarknad?", False),  # a thing's name
    ("Vad hette ekonomiskt bistånd förr?", False),
    ("Vem beslutar om ekonomiskt bistånd?", False),  # answered as often by a role
])
def test_a_question_for_a_persons_name_needs_a_role_word(question: str, name: bool) -> None:
    assert bool(ASKS_NAME.search(question)) is name


@pytest.mark.parametrize("text, name", [
    ("Men Andreas Lundgren, ordförande i Individ- och familjenämnden", True),
    ("Partiernas gruppledare, inklusive Lindberg (S), enades", True),
    ("Förklaringen kan finnas i Lundgrens oförmåga", False),  # a surname alone is not enough
    ("Socialtjänsten i Umeå kommun är en av de verksamheter", False),
])
def test_a_person_is_named_by_first_and_last_name(text: str, name: bool) -> None:
    assert bool(HOLDS_NAME.search(text)) is name


@pytest.mark.parametrize("asks, question, expected", [
    (ASKS_FINDING, "Vad kom Feelgoods arbetsmiljöutredning fram till?", True),
    (ASKS_FINDING, "vad visade kartläggningen 2020", True),
    (ASKS_FINDING, "What did the investigations conclude?", True),
    (ASKS_FINDING, "What did the 2020 survey show?", True),
    (ASKS_FINDING, "Vad visar Socialchefsrapporten?", True),
    (ASKS_FINDING, "Vem gjorde utredningen?", False),
    (ASKS_FINDING, "How many managers find it hard to follow up their cases?", False),
    (ASKS_FINDING, "Vad tycker SSR om resultaten?", False),
    (ASKS_LIST, "Vilka tre enheter slogs samman i Växjö 2017?", True),
    (ASKS_LIST, "vilka två förändringar krävs", True),
    (ASKS_LIST, "What are the three most important measures?", True),
    (ASKS_LIST, "Vad är de tre viktigaste?", True),
    (ASKS_LIST, "Vilka var oroliga för flickan?", False),
    (ASKS_LIST, "Hur många enheter slogs samman?", False)])
def test_a_question_for_what_a_study_found_or_for_things_by_name(
        asks: re.Pattern[str], question: str, expected: bool) -> None:
    assert bool(asks.search(question)) is expected


@pytest.mark.parametrize("holds, text, expected", [
    (HOLDS_FINDING, "En arbetsmiljökartläggning … visade på ett auktoritärt ledarskap", True),
    (HOLDS_FINDING, "Utredningarna pekar på tydliga organisatoriska problem", True),
    (HOLDS_FINDING, "Av svaren framgår tydligt att det råder obalans", True),
    (HOLDS_FINDING, "Många är kritiska mot den senaste arbetsmiljöutredning som utfördes år 2022",
     False),
    (HOLDS_LIST, "Utredaren pekar på tre områden som måste åtgärdas:\n\n• Personal", True),
    (HOLDS_LIST, "… på samma sätt som exempelvis läkare, sjuksköterskor eller lärare.", True),
    (HOLDS_LIST, "Bland de frågor som krävde svar fanns: 1. Själva ärendet", True),
    (HOLDS_LIST, "Dels genom att fråga efter ”syftet” med träffen, dels genom påståenden", True),
    (HOLDS_LIST, "Problemen kopplas samman med en större omorganisation i januari 2017, då tre "
     "enheter slogs samman.", False)])
def test_a_text_that_reports_a_finding_or_lists_things(
        holds: re.Pattern[str], text: str, expected: bool) -> None:
    assert bool(holds.search(text)) is expected


@pytest.mark.parametrize(("question", "money"), [
    ("Vad kostar socialtjänsten i Växjö?", True),
    ("Vad tjänar en socialsekreterare?", True),
    ("Vilken lön har en socialsekreterare i Växjö?", True),
    ("Hur hög är lönen?", True),
    ("Vad är ingångslönen för socionomer?", True),
    ("Vad har en socionom för lön?", True),
    ("Vad tycker socialsekreterarna om lönerna?", False),
    ("Hur klarar man sig inom budgetramarna?", False),
])
def test_a_question_for_an_amount_of_money(question: str, money: bool) -> None:
    assert bool(ASKS_MONEY.search(question)) is money


def test_a_salary_no_quote_gives_is_said_to_be_missing(pipeline) -> None:
    """No document gives a salary: a quote about social workers in Växjö is no answer to it."""
    answer = pipeline.answer("Vilken lön har en socialsekreterare i Växjö?")
    assert "figure" in answer.missing_kinds and answer.missing[-1] == "Vilken lön"
