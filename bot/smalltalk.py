"""Greetings, thanks, goodbyes and questions about the bot get a short human reply, not a search.

Matched on the whole message (bot names and punctuation aside), so "Hej, vad kostar
socialtjänsten?" still searches; a message that opens with thanks and asks nothing ("tack, det
var till stor hjälp") is thanks, and a complaint about the last answer or a request to do
something gets the help text. A greeting or thanks that opens a question is taken off it
(`without_smalltalk`), so it does not thin the question's evidence. A message made only of
small-talk phrases ("bra jobbat, ha en fin dag") is its last phrase's kind.
"""

from __future__ import annotations

import re

from retrieval.analyzer import fold
from retrieval.query import Query

GREETINGS = frozenset({
    "hej", "hejsan", "hallå", "tjena", "tja", "tjenare", "morsning", "goddag", "god morgon",
    "god kväll", "god dag", "god eftermiddag", "hej hej", "hej där", "hallå där", "hello", "hi",
    "hur mår du", "hur mår du idag", "hur mår du i dag", "hur är läget", "hur har du det",
    "hej hur mår du", "hej hur är läget", "läget", "hej igen", "hallå igen", "tjenare läget",
    "tja läget", "hej läget", "trevligt att träffas", "nice to meet you", "whats up", "what is up",
    "good morning", "good evening", "what s up", "hallå någon där", "är det någon där", "någon där",
    "hey", "hey there", "hi there", "hello there", "start",  # "/start" opens a Telegram chat
})
THANKS = frozenset({"tack", "tackar", "tack så mycket", "tusen tack", "stort tack", "tack tack",
                    "tack för hjälpen", "tack ska du ha", "toppen tack", "bra tack",
                    "tack för svaret", "tack så mycket för hjälpen", "thanks", "thank you",
                    "thank you so much", "thanks a lot", "thx"})
GOODBYES = frozenset({"hejdå", "hej då", "hej hej då", "adjö", "vi ses", "ha det bra", "ha det",
                      "hejdå ha det bra", "hej då ha det bra", "tack och hej", "tack hejdå",
                      "tack och hejdå", "god natt", "bye", "ses", "ha en bra dag",
                      "ha en trevlig dag", "tack detsamma", "good night", "goodbye",
                      "good bye", "see you", "see you later", "vi hörs", "hörs",
                      "ha en fin dag", "ha en skön dag", "ha en bra kväll", "ha en fin kväll",
                      "ha en trevlig kväll", "ha en bra helg", "ha en trevlig helg",
                      "trevlig helg", "have a nice day", "have a good day"})
ABOUT = frozenset({"vem är du", "vad är du", "vad kan du", "vad kan du göra", "vad gör du",
                   "vad kan du hjälpa mig med", "vad kan du hjälpa till med", "hur funkar du",
                   "hur fungerar du", "vad kan jag fråga", "vad kan jag fråga om",
                   "vad kan jag fråga dig om", "vad vet du", "vad vet du om", "hjälp mig",
                   # "är du en bot?" reads "är du en" once the bot's name is taken out
                   "är du en", "är du en robot", "är du en människa", "är du människa",
                   "är du en ai", "är du ai", "är du en chattbot", "är du på riktigt",
                   "vem har gjort dig", "vem har byggt dig", "vem skapade dig",
                   "who are you", "what are you", "what can you do", "are you a",
                   "are you a robot", "are you human", "are you an ai", "how do you work",
                   "talar du svenska", "pratar du svenska", "kan du svenska", "talar du engelska",
                   "pratar du engelska", "kan du engelska", "do you speak english",
                   "do you speak swedish", "vad heter du", "what is your name", "whats your name",
                   "how are you", "hjälp", "help", "hur funkar det här", "hur fungerar det här",
                   "hur funkar det", "hur fungerar det", "berätta om dig själv", "berätta om dig",
                   "are you a real person", "är du en riktig människa", "är du en riktig person",
                   "hur ska jag skriva", "hur ska jag fråga", "vad ska jag skriva",
                   "how should i ask"})
# Something to do, not to look up ("kan du ringa socialtjänsten åt mig?", "kan du hjälpa mig att
# boka tid hos läkaren"), or how to ask ("Hur ska jag skriva för att du ska förstå mig?"): the
# help text says what the bot does. "Kan du skriva vad … kostar?" asks, so writing is no request,
# but writing a poem or telling a joke is.
REQUEST = re.compile(fold(
    r"^((kan|skulle|vill) du (kunna )?(hjälpa mig (att|med) )?(ringa|boka|skicka|mejla|maila|"
    r"beställa|översätta|kontakta|ansöka|fylla i|betala)|(can|could|would) you "
    r"(please )?(call|book|send|email|order|translate|contact|apply|pay)|"
    r"hur (ska|bör|kan) jag (skriva|fråga|formulera)|"
    # something made up, which no document holds ("Kan du skriva en dikt om hösten?")
    r"((kan|skulle|vill) du (skriva|hitta på|berätta|göra|sjunga)|skriv|berätta|hitta på|"
    r"(can|could|would) you (write|tell|make up|compose)|write|tell)( mig| me)? (en|ett|a|an) "
    r"(dikt|poem|låt|sång|song|saga|sagan|berättelse|story|vits|skämt|joke|haiku|limerick|"
    r"novell|essä|essay))\b"))
# Word that the last answer missed ("det där var fel", "fattar du ingenting?") gets the help text:
# what the bot can and cannot do, and how to ask.
COMPLAINT = re.compile(fold(
    r"^((det|det där|det där svaret|svaret) (var|är) (ju )?(helt )?(fel|åt skogen|dåligt|"
    r"konstigt|inte rätt)|(helt )?fel svar|helt fel|dåligt svar|du (är|var) (dum|värdelös|dålig)|"
    r"fattar du ingenting( eller)?|förstår du ingenting( eller)?|"
    r"(that|this) (is|was|s) wrong|wrong answer|you are (useless|stupid))$"))
# A message that only acknowledges ("okej", "bra jobbat") asks nothing: the empty reply says
# to write a question.
ACKS = frozenset({"ok", "okej", "okey", "okay", "jaha", "aha", "ja", "nej", "japp", "nä", "lol",
                  "haha", "hehe", "bra", "bra jobbat", "snyggt", "toppen", "perfekt", "kul",
                  "allt bra", "cool", "roligt", "vad roligt", "tråkigt", "vad tråkigt", "intressant",
                  "vad intressant", "spännande", "grymt", "najs", "nice", "kanon", "super",
                  "coolt", "great", "hmm", "mm", "great job", "good job", "well done", "bra gjort",
                  "snyggt jobbat", "fint"})
# A message that opens with thanks and asks nothing ("tack, det var till stor hjälp") is thanks.
_THANKS_WORDS = frozenset({"tack", "tackar", "thanks", "thank"})
# Words that ask, Swedish or English ("var" left out: in "det var till stor hjälp" it is "was").
_ASKING = re.compile(r"\b(varf[öo]r|n[äa]r|hur|vem|vilk[ae]t?|vad|what|when|how|who|why|which|"
                     r"where)\b")
# Messages between the user and the bot, in the first or second person ("Var bor du?", "Är du
# smart?", "Jag mår dåligt", "Kan vi prata?"): about the conversation, not the documents, when
# they name nothing and have at most one word to search for (bot/pipeline.py).
PERSONAL = re.compile(r"\b(du|dig|din|ditt|dina|jag|mig|min|mitt|mina|vi|oss|you|your|yours|me|my|"
                      r"we|us)\b", re.IGNORECASE)
_STRIP = re.compile(r"[^\w\s]+")
# A message's first part, up to a comma, full stop or exclamation mark, and the rest.
_OPENING = re.compile(r"^\s*(?P<lead>[^,.!?]+)[,.!]+\s*(?P<rest>.+)$", re.DOTALL)
_OPENERS = frozenset({"greeting", "thanks", "empty"})
# Where a message of several small-talk phrases splits: "bra jobbat, ha en fin dag".
_PARTS = re.compile(r"[,.!;]+")
# Compared without å/ä/ö, so "hejda" and "tack sa mycket" are small talk too.
_KINDS = tuple((kind, frozenset(fold(p) for p in phrases)) for kind, phrases in (
    ("greeting", GREETINGS), ("thanks", THANKS), ("goodbye", GOODBYES), ("help", ABOUT),
    ("empty", ACKS)))


def smalltalk_kind(text: str) -> str | None:
    """'greeting', 'thanks', 'goodbye', 'help' or 'empty' (an acknowledgement) when the whole
    message is one, else None. Compared without å/ä/ö ("det dar var fel" is a complaint too)."""
    plain = _plain(text)
    words = fold(plain)
    kind = _whole_kind(words)
    if kind:
        return kind
    if COMPLAINT.match(words) or REQUEST.match(words):
        return "help"
    if plain.split(" ", 1)[0] in _THANKS_WORDS and "?" not in text and not _ASKING.search(plain):
        return "thanks"
    return _parts_kind(text)


def _parts_kind(text: str) -> str | None:
    """The kind of a message made only of small talk in parts ("bra jobbat, ha en fin dag",
    "tack! hej då"): its last part's, an acknowledgement giving way to any other. None when a
    part is not small talk or there is only one part."""
    parts = [p for p in _PARTS.split(text) if _STRIP.sub(" ", p).strip()]
    if len(parts) < 2:
        return None
    kinds = [_whole_kind(fold(_plain(p))) for p in parts]
    if None in kinds:
        return None
    said = [k for k in kinds if k != "empty"]
    return said[-1] if said else "empty"


def _plain(text: str) -> str:
    """The message in lower case, without punctuation or the bot's name."""
    plain = " ".join(_STRIP.sub(" ", text.casefold()).split())
    return " ".join(re.sub(r"\b(citatbot|bot|boten)\b", "", plain).split())


def _whole_kind(words: str) -> str | None:
    """The kind of a message (plain and folded) that is one small-talk phrase, else None."""
    return next((kind for kind, phrases in _KINDS if words in phrases), None)


def without_smalltalk(text: str) -> str:
    """The question after an opening greeting or thanks: "Tack för hjälpen! Vad heter
    bidragsroboten?" asks "Vad heter bidragsroboten?", whose evidence the thanks would thin.
    The text itself when it opens with none, or when nothing would be left."""
    rest = text
    while (match := _OPENING.match(rest)) and smalltalk_kind(match["lead"]) in _OPENERS:
        if not _STRIP.sub(" ", match["rest"]).strip():
            break
        rest = match["rest"]
    return rest


def addressed_to_bot(query: Query, own_forms: bool = False) -> bool:
    """A message between the user and the bot, in the first or second person, that names
    nothing and has at most one word to search for: "Var bor du?", "Är du smart?", "Jag mår
    dåligt". One with a name or two words of its own ("Vad vet du om lex Sarah?", "Hur söker jag
    ekonomiskt bistånd?") asks about the documents. In a conversation its own words count, not
    those of the question before it ("Var bor du?" after a question is no follow-up). With
    `own_forms`, only words the corpus uses in their own form count (read once the documents
    would answer: a decline says more to "Kan du förklara relativitetsteorin?")."""
    if not PERSONAL.search(query.text):
        return False
    own = [g for g in query.groups if not g.context]
    if own_forms and not query.english:
        # Only the words the corpus uses in their own form: "Jag är trött idag" finds "trött"
        # only as a synonym's synonym ("slut"), "Vad ska jag äta till middag?" "äta" as
        # "intaga". An English word is always found through its Swedish ones.
        own = [g for g in own if g.term in g.matches or g.name or g.term[:1].isdigit()]
    return len(own) <= 1 and not any(g.name or g.term[:1].isdigit() for g in own)
