"""Who leads what: a leader's role beside a name, read from the bundled corpus's own sentences,
and which questions ask for one."""

from __future__ import annotations

import pytest

from retrieval.analyzer import SwedishAnalyzer
from retrieval.roles import Mention, asks_leader, fit, head_terms, mentions
from tests.support.corpus import CORPUS

ANALYZER = SwedishAnalyzer()
HEADS = head_terms(ANALYZER.terms)


@pytest.mark.parametrize(("text", "found"), [
    # the role before the name, with or without its definite ending, capitalised or not
    ("–Det är mycket som havererat, säger förvaltningschefen Per Sandberg, som nu drar i bromsen.",
     [("Per Sandberg", "förvaltningschefen")]),
    ("Förvaltningschef Per Sandberg är självkritisk och försöker inte dölja problemen.",
     [("Per Sandberg", "Förvaltningschef")]),
    ("Tyvärr fick ordförande Lundgren med sig tillräckligt många i nämnden.",
     [("Lundgren", "ordförande")]),
    # the role after a first name and a surname, comma or not
    ("Men Andreas Lundgren, ordförande i Individ- och familjenämnden, motsatte sig en extern "
     "granskning.", [("Andreas Lundgren", "ordförande")]),
    ("Heike Erkers förbundsordförande i Akademikerförbundet SSR.",
     [("Heike Erkers", "förbundsordförande")]),
    # an organisation's name is no person; a sentence's first word is no first name; a role in
    # the plural has no one person; a heading's last word is no role of the next line
    ("Vision Chef jobbar aktivt för att förbättra chefers förutsättningar.", []),
    ("Partiernas gruppledare, inklusive Hans Lindberg (S), enades hösten 2021.", []),
    ("Socialtjänstens högsta chefer Anna och Bo.", []),
    ("Rapport från Vision Chef\nTexten bygger på en enkät.", []),
])
def test_a_leaders_role_beside_a_name(text: str, found: list[tuple[str, str]]) -> None:
    assert [(m.name, m.role) for m in mentions(text)] == found


def test_the_organisation_is_read_after_the_role_or_before_it_in_the_genitive() -> None:
    after, = mentions("Veronica Magnusson, förbundsordförande för Vision.")
    before, = mentions("Visions förbundsordförande Veronica Magnusson varnar.")
    for mention in (after, before):
        assert "vision" in ANALYZER.terms(mention.words)


def test_every_named_leader_of_the_bundled_corpus_is_found() -> None:
    """Three leaders are named beside their role in the five articles; each is found."""
    names = {m.name for path in sorted(CORPUS.glob("0*.txt"))
             for m in mentions(path.read_text("utf-8"))}
    assert {"Per Sandberg", "Veronica Magnusson", "Heike Erkers", "Andreas Lundgren"} <= names


@pytest.mark.parametrize(("question", "leader"), [
    ("Vem leder fackförbundet Vision?", True),
    ("vem leder facket vision", True),
    ("Vem är förvaltningschef för arbete och välfärd i Växjö?", True),
    ("vem ar chef for namnden for individ och familj i umea?", True),
    ("vem är högsta chefen för socialförvaltningen i växjö", True),
    ("Vem är ordförande i nämnden?", True),
    ("Who heads the union Vision?", True),
    ("Who is the chair of Akademikerförbundet SSR?", True),
    ("vem styr individ- och familjenämnden", True),
    ("Vem skrev artikeln?", False),
    ("Vem kritiserade chefen?", False),
    ("Vad tycker cheferna om budgeten?", False),
    ("Vilka ledare kritiserades?", False),
    ("Vilka faktorer leder till högre sjukfrånvaro?", False),
    ("Vem tror Hägglund ledde till krisen?", False),
    ("What leads to sick leave?", False),
])
def test_a_question_for_who_leads_something(question: str, leader: bool) -> None:
    assert asks_leader(question) is leader


def _mention(text: str) -> Mention:
    found, = mentions(text)
    return found


@pytest.mark.parametrize(("question_terms", "text", "fits"), [
    # the role's first part, the organisation after it or before it
    ({"led", "förvaltning", "arbet", "välfärd", "växjö"},
     "Förvaltningschef Per Sandberg är självkritisk.", 1),
    ({"led", "fackförbundet", "vision"}, "Veronica Magnusson, förbundsordförande för Vision.", 1),
    ({"led", "vision"}, "Visions förbundsordförande Veronica Magnusson varnar.", 1),
    # the question's compound, by its last part
    ({"högst", "chef", "socialförvaltning", "växjö"}, "Förvaltningschef Per Sandberg är här.", 1),
    # the role's head alone fits no one; nor a compound of the mention's for the question's word
    ({"ordför", "nämnd", "arbet", "välfärd", "växjö"},
     "Andreas Lundgren, ordförande i Individ- och familjenämnden, motsatte sig.", 0),
    ({"chef", "polis", "växjö"}, "Förvaltningschef Per Sandberg är självkritisk.", 0),
])
def test_how_well_a_leader_fits_the_question(question_terms: set[str], text: str,
                                             fits: int) -> None:
    assert fit(_mention(text), question_terms, ANALYZER.terms, HEADS) == fits
