"""What a message asks that only the bot reads: whether it asks at all, about the document's
own date or author, and a reason given by pointing back.

The patterns for a figure, a date or a reason, which retrieval's ranker reads too, live in
retrieval/asks.py. They accept the question typed without å/ä/ö and their English forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from retrieval.asks import MONTHS
from retrieval.roles import ASKS_LEADER

# A Swedish asking word: a message that has one asks something ("varför då?").
ASKS = re.compile(r"\b(varf[öo]r|n[äa]r|hur|vem|vilk[ae]t?|var|vad)\b", re.IGNORECASE)
# A date question about the document itself ("När publicerades artikeln?", "när kom annonsen
# ut"): its dateline answers. Other "när" questions ask when something happened.
ASKS_PUBLISHED = re.compile(r"\b(publicer\w*|skrevs|skrivits|daterad\w*|utgiv\w*|"
                            r"kom\b.*\but|published|written|released)\b", re.IGNORECASE)
# ... or when someone answered ("När svarade Hägglund på Gracchus kommentar?"): a reply's dated
# header ("Svar på Gracchus kommentar 29/4-2023") may answer, as a dateline may.
ASKS_REPLIED = re.compile(r"\b(svara\w*|besvara\w*|answer\w*|repl\w*)\b", re.IGNORECASE)
# Who wrote the document itself ("Vem skrev artikeln?", "vem skriver bloggserien", "who wrote
# the article", "Vem intervjuade Heike Erkers?"): its byline answers. "Vem skrev utredningen?"
# asks about something the text reports, so a word for the text itself is required.
_TEXTS = (r"artikel\w*|text\w*|inlägg\w*|inlagg\w*|blogg\w*|krönik\w*|kronik\w*|debattartikel\w*|"
          r"reportage\w*|article\w*|posts?|blogs?|pieces?")
_WRITES = r"skrev|skrivit|skriver|wrote|written|writes"
ASKS_AUTHOR = re.compile(
    rf"\b(vem|vilka|who)\b.*\b({_WRITES}|författa\w*|author)\b.*\b({_TEXTS})|"
    r"\b(vem|who)\b.*\b(författare|forfattare|skribent\w*|author)\b|"
    r"\b(vem|who)\b.*\b(intervjuade|intervjuat|interviewed)\b", re.IGNORECASE)
# The words such a question asks with: what is left must say which text it is about.
AUTHOR_WORD = re.compile(rf"{_WRITES}|skriva|förf\w*|forf\w*|skribent\w*|author\w*|{_TEXTS}",
                         re.IGNORECASE)
# A sentence that gives its reason by pointing back: the reason is the sentence before.
THEREFORE = re.compile(r"^\W*(därför|därmed|det beror|detta beror|det är därför)\b", re.IGNORECASE)
# "Vem …?", "Vilken tidning …?", "Who …?": the answer is a name ("who" and "which" only at the
# head of the question: inside it they are relative pronouns, "the social workers who …").
ASKS_WHO = re.compile(r"\b(vem|vilka|vilken|vilket)\b|^\W*((and|but) )?(who|which)\b",
                      re.IGNORECASE)
# A sentence that opens with a pronoun for someone named before it: "De har nu granskat …"
# after "Jag har läst Folkbladets granskning …" ("Dessa brister …" points at a thing).
REFERS_BACK = re.compile(r"^\W*(de|dom|han|hon|they|he|she)\b", re.IGNORECASE)
# A question that asks for a person's name ("Vad heter chefen?", "Vem är ordförande i nämnden?",
# "Vilken journalist …?"): a role word is required, since "Vad heter den nya avdelningen?" asks
# for a thing's name and "Vem beslutar …?" is as often answered by a role; who took over from
# someone ("Vem efterträdde Andreas Lundgren …?") is always a person, and so is who someone
# has or takes as a role ("Vem vill Jan Hägglund ha som ny ordförande …?").
_ROLES = (r"(ordf[öo]rande\w*|\w*chef\w*|gruppledare\w*|kommunalr[åa]d\w*|journalist\w*|"
          r"reporter\w*|politiker\w*|ledam[öo]t\w*|handl[äa]ggare\w*|socialsekreterare\w*|"
          r"utredare\w*|skribent\w*|pappa\w*|mamma\w*|personen|mannen|kvinnan|han|hon)")
ROLE = re.compile(_ROLES, re.IGNORECASE)
ASKS_NAME = re.compile(
    r"\b((vad (heter|hette)|vem (är|ar|var|blir|blev|eftertr[äa]dde|ersatte)) "
    rf"(den |det )?(\w+ ){{0,2}}{_ROLES}|vilken (person|{_ROLES})|what is the name|"
    r"(who (is|was) the|which) (\w+ ){0,2}(chair\w*|head|director|manager|journalist|reporter|"
    r"politician|person|leader)|vem (eftertr[äa]d\w*|ersatte|ers[äa]tter)|"
    r"who (replaced|succeeded|took over from)|"
    rf"vem\b(\s\w+){{1,6}} som (ny |nya )?{_ROLES})\b", re.IGNORECASE)
# Who leads something asks for a name too ("Vem leder polisen i Växjö?"; retrieval/roles.py).
ASKS_PERSON = re.compile(f"{ASKS_NAME.pattern}|{ASKS_LEADER.pattern}", re.IGNORECASE)
# A person named: two capitalised words in a row ("Andreas Lundgren") or a name with its party
# ("Lindberg (S)").
PERSON = r"[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?\s+[A-ZÅÄÖÉ][a-zåäöéü]+"
HOLDS_NAME = re.compile(rf"\b{PERSON}|\b[A-ZÅÄÖÉ][a-zåäöéü]+\s+\((S|M|C|V|L|KD|MP|SD)\)")
# Which firm, paper, agency, party or municipality ("Vilken revisionsbyrå …?", "Vilka kommuner
# …?", "Which consultancy …?"): the answer names one, which "en revisionsbyrå" does not.
_ORGS = (r"\w*(f[öo]retag|firma|firman|bolag|byr[åa]|konsult|tidning|myndighet|organisation|"
         r"f[öo]rbund|parti|kommun)(en|et|er|erna|ar|arna|na)?|(\w+ )?(compan(y|ies)|firms?|"
         r"consultanc(y|ies)|newspapers?|agenc(y|ies)|unions?|part(y|ies)|municipalit(y|ies))")
ASKS_ORG = re.compile(rf"\b(vilken|vilket|vilka|which) ({_ORGS})\b", re.IGNORECASE)
# A name of one: a capitalised word inside a sentence ("… gjordes av Feelgood", "Ivo"; not after
# a dash that opens a reply), or one in capitals, that is no person's first name and surname
# (HOLDS_NAME) and no month.
CAPITALISED = re.compile(r"(?<=[\w,:;)\]] )[A-ZÅÄÖÉ][\w-]*|\b[A-ZÅÄÖ]{2,}\b")

# What a survey, an investigation or a review found ("Vad kom utredningen fram till?", "Vad
# visade kartläggningen?", "What did the investigations conclude?"): the answer reports a
# finding ("… visade på ett auktoritärt ledarskap", "Utredningarna pekar på …", "Av svaren
# framgår …"), not that the study was made or is criticised.
ASKS_FINDING = re.compile(
    r"\b(kom\w*(\s\w+){0,8}\s+fram till|vad (visade|visar|har \w+(\s\w+){0,4} visat)|"
    r"slutsats\w*|conclu\w+|findings?|what did\b(\s\S+){1,8}\s+(show|find|reveal))\b",
    re.IGNORECASE)
HOLDS_FINDING = re.compile(
    r"\b(visa\w*|pekar på|pekade på|kom\w* fram till|konstatera\w*|framg[åi]r|framgick|"
    r"framkom\w*|slutsats\w*|fann|funnit|bekräfta\w*|resultat\w*)\b", re.IGNORECASE)
# A number of things asked for by name ("Vilka tre enheter slogs samman?", "What two changes
# …?"): the answer lists them, as a lead-in and its items ("… tre områden som måste åtgärdas:"),
# an enumeration ("läkare, sjuksköterskor eller lärare"), numbered points or "dels … dels".
_HOW_MANY_THINGS = (r"två|tre|fyra|fem|sex|sju|åtta|nio|tio|two|three|four|five|six|seven|"
                    r"eight|nine|ten|\d+")
ASKS_LIST = re.compile(rf"\b(vilka|vad är de|which|what are the|what) ({_HOW_MANY_THINGS})\b",
                       re.IGNORECASE)
HOLDS_LIST = re.compile(r":\s*\n|\w[\w-]*(, [\w-]+( [\w-]+){0,4})+ (och|eller|and|or) \w|"
                        r"\bdels\b|(^|\s)1[.)]\s|•", re.IGNORECASE)

# The most or the least of something ("kostar mest", "den dyraste", "the largest"), and what is
# second to it ("näst mest", "näst störst", "second largest").
_MOST = (r"mest|minst|flest|f[äa]rst|st[öo]rst\w*|h[öo]gst\w*|l[äa]gst\w*|b[äa]st\w*|"
         r"s[äa]mst\w*|\w+ast(e|er)?|most|least|largest|biggest|highest|lowest|\w+est")
ASKS_MOST = re.compile(rf"\b({_MOST})\b", re.IGNORECASE)
SECOND = re.compile(rf"\b(n[äa]st|second)[ -]({_MOST})\b", re.IGNORECASE)
# Above something, which the first of all is ("Vilken verksamhet kostar mer än socialtjänsten?"
# is not answered by "Socialtjänsten kostar näst mest …").
ASKS_ABOVE = re.compile(r"\b(mer|dyrare|större|högre|fler|more|higher|larger|bigger) (än|than)\b",
                        re.IGNORECASE)
# A change over time ("Har andelen … ökat jämfört med förra året?"), which a level alone does not
# tell ("44% av socionomerna kan inte …"); the text must say what it was before, or that it rose
# or fell.
ASKS_CHANGE = re.compile(r"\b(ökat|minskat|ökade|minskade|förändrats|ändrats|blivit (fler|färre|"
                         r"större|mindre|bättre|sämre)|increased|decreased|changed|grown|risen|"
                         r"fallen)\b(\s\S+){0,10}\s(jämfört med|sedan|since|compared)\b|"
                         r"\b(jämfört med|än|compared (with|to)|since|than) (förra|föregående|"
                         r"i fjol|tidigare|året innan|last|the previous|before)\b", re.IGNORECASE)
HOLDS_CHANGE = re.compile(r"\b(ökat|minskat|ökade|minskade|ökning|minskning|tidigare|förra|"
                          r"i fjol|sedan|jämfört|än|increase\w*|decrease\w*|previous|last year)\b",
                          re.IGNORECASE)
# A figure per one ("varje handläggare", "per chef", "on average"; "per år" asks for the year's
# figure), and a text that gives one so.
_TIME_UNITS = (r"([åa]r|[åa]ret|m[åa]nad|m[åa]naden|vecka|veckan|dag|dagen|timme|timmen|year|month|"
               r"week|day|hour)\b")
PER_UNIT = re.compile(rf"(?-i:\bper\b)(?!\s+{_TIME_UNITS})\s+\w+|\b(varje|each|every|i snitt|i "
                      rf"genomsnitt|on average)\b(?!\s+{_TIME_UNITS})(\s+\w+)?", re.IGNORECASE)
HOLDS_PER = re.compile(r"\b(per|varje|var|each|every|snitt|genomsnitt\w*|average)\b|\d\s*/\s*\w",
                       re.IGNORECASE)
# A question that asks which or what, not whether ("Är socialtjänsten den dyraste …?").
WHICH = re.compile(r"\b(vilken|vilket|vilka|vad|vem|which|what|who)\b", re.IGNORECASE)
# "Är socialtjänsten en av de dyraste …?" is answered yes by what comes second.
ONE_OF = re.compile(r"\b(en|ett|one) (av|of) (de|the)\b", re.IGNORECASE)
# A share said in words: "var fjärde socialchef", "var tredje".
_COUNT = r"en|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|\d+"
N_OF_M = re.compile(rf"\b({_COUNT}) av ({_COUNT})\b", re.IGNORECASE)  # "två av tre", "9 av 10"
SHARE_IN_WORDS = re.compile(r"\bvar (andra|tredje|fjärde|femte|sjätte|sjunde|åttonde|nionde|"
                            rf"tionde)\b|{N_OF_M.pattern}|\bhälften\b", re.IGNORECASE)
# "nio av tio" is written "9 av 10" as often: a share is compared with its count words as digits.
_DIGITS = {w: str(n) for n, w in enumerate("noll en två tre fyra fem sex sju åtta nio tio".split())}
_DIGITS["ett"] = "1"


def as_digits(text: str) -> str:
    """The text in lower case with the count words of "N av M" as digits: "9 av 10"."""
    return N_OF_M.sub(lambda m: f"{_DIGITS.get(m[1], m[1])} av {_DIGITS.get(m[2], m[2])}",
                      text.casefold())


# Whom a figure counts, narrowed by where they are: "av socionomerna inom psykiatrin", "bland
# cheferna i storstäderna", "of social services managers in the big cities".
QUALIFIED = re.compile(r"\b(av|bland|of|among)\s+(de\s+|the\s+)?([\w-]+\s+){0,3}?(inom|i|på|"
                       r"utanför|within|in|outside)\s+(den\s+|det\s+|the\s+)?"
                       r"(?P<what>[\w-]+( och [\w-]+)?( sektorn?| sector| cities)?)",
                       re.IGNORECASE)
# Whom a figure counts, as the question names them: "Hur stor andel av socionomerna …",
# "Hur många procent av lärarna …", "What share of managers …", where they work: "Hur många
# socialsekreterare inom vuxenområdet …", and who answered a survey: "Hur många socialchefer
# svarade …" ("hur många" alone is followed by a verb as often as by a noun: "hur många svarade
# …").
COUNTED = re.compile(r"\b(?:(?:hur (?:stor|liten|h[öo]g) (?:andel|del)|hur m[åa]nga procent|"
                     r"vilken andel|what share|what proportion|what percentage)\s+(?:av|of)\s+"
                     r"(?:de\s+|dem\s+|the\s+)?(?P<what>[\w-]+)|(?:hur m[åa]nga|how many)\s+"
                     r"(?:(?P<who>[\w-]+(?:\s+[\w-]+){0,2}?)\s+(?=(?:svarade|deltog|answered|"
                     r"responded|took part)\b))?[\w-]+)(?:\s+(?:inom|utanför|within|outside)\s+"
                     r"(?:den\s+|det\s+|the\s+)?(?P<where>[\w-]+))?", re.IGNORECASE)
# How something turned out ("Vilka förändringar blev resultatet av genomlysningen?", "Vilka
# effekter har reformen fått?", "How did the government respond …?", "… till slut?"), which a
# sentence of what is wanted, planned or ought to be done does not tell ("Han vill nu ha en helt
# ny genomlysning …", "Här borde staten ta ett ansvar …", "om mandatet … flyttas … så kan …").
# A survey's result is a finding (ASKS_FINDING), and its "anser att … ska" no plan.
ASKS_OUTCOME = re.compile(r"\b(vad blev (resultatet|effekten|effekterna|följden|följderna|"
                          r"utfallet)|blev resultatet|vilka (effekter|följder|konsekvenser)|"
                          r"hur (gick|blev) det|till slut|slutligen|i slutändan|"
                          r"how did\b(\s\S+){0,8}\s(change|respond|react|turn out|end)|"
                          r"eventually|in the end|finally)\b", re.IGNORECASE)
NOT_AN_OUTCOME = re.compile(r"unders[öo]k|enk[äa]t|survey|studie|study|rapport|report",
                            re.IGNORECASE)
HOLDS_PLAN = re.compile(r"\b(vill|ska|skall|kommer att|borde|bör|skulle|planerar|efterlyser|"
                        r"kräver|krävdes|krävs|föreslår|hög tid|would|should|will|plans?|"
                        r"wants?)\b|\bom\b.*\bså\b", re.IGNORECASE)
# A day asked for ("Vilket datum …?", "What date …?"), which a year or a season does not give,
# and a date that does ("1–7 september 2020", "29/4", "2018-11-07").
ASKS_DAY = re.compile(r"\b(vilket datum|vilka datum|vilken dag|what date|which day|on what day)\b",
                      re.IGNORECASE)
HOLDS_DAY = re.compile(rf"\b\d{{1,2}}(\s*[–-]\s*\d{{1,2}})?\s+({'|'.join(MONTHS)}|january|february|"
                       r"march|june|july|august|october)\b|\b\d{1,2}/\d{1,2}\b|"
                       r"\b\d{4}-\d{2}-\d{2}\b", re.IGNORECASE)
# A survey asked about, and a sentence that says one was made ("Undersökningen genomfördes …",
# "Framtidens Karriär – Socionom genomförde … en undersökning", "En arbetsmiljökartläggning som
# kommunen beställt 2020"): compounds too ("socionomenkäten", "socialchefsundersökningen").
ASKS_SURVEY = re.compile(r"(unders[öo]k|enk[äa]t|kartl[äa]gg|survey|\bpoll)", re.IGNORECASE)
DATES_SURVEY = re.compile(r"(unders[öo]kning|enk[äa]t|kartl[äa]ggning|m[äa]tning)", re.IGNORECASE)
# How many answered it ("Hur många svarade på enkäten?"), and the note that says so ("Över 600
# socionomer har svarat.").
ASKS_RESPONDENTS = re.compile(
    r"\b(hur m[åa]nga|how many)\b(\s\S+){0,5}\s(svarade|deltog|svarat|deltagit|tillfrågades|"
    r"intervjuades|medverkade|answered|responded|took part|participated|were (asked|surveyed|"
    r"interviewed))\b", re.IGNORECASE)
HOLDS_RESPONDENTS = re.compile(r"\b(svarat|svarade|deltog|deltagit|tillfrågade|respondenter|"
                               r"intervjuade|medverkat)\b", re.IGNORECASE)


# Words of one direction and of the other: "Hur många tror att kvaliteten förbättras?" is not
# answered by "9 av 10 socionomer anser att kvaliteten … försämras …".
_POLES = ((r"f[öo]rb[äa]ttr\w*|b[äa]ttre|improv\w*|better",
           r"f[öo]rs[äa]mr\w*|s[äa]mre|worse\w*|worsen\w*|deteriorat\w*"),
          (r"[öo]ka[rtd]?|[öo]kning\w*|increas\w*|grow\w*|v[äa]xer",
           r"minska[rtd]?|minskning\w*|decreas\w*|reduc\w*|shrink\w*|declin\w*"),
          (r"fler", r"f[äa]rre"),  # not "more", which Swedish writes "mer" and "fler"
          (r"h[öo]jer|h[öo]jt|h[öo]jning\w*|h[öo]gre|higher|rais(e|ed|es|ing)",
           r"s[äa]nk\w*|l[äa]gre|lower(ed|s)?"))
POLES = tuple((re.compile(rf"\b({a})\b", re.IGNORECASE), re.compile(rf"\b({b})\b", re.IGNORECASE))
              for a, b in _POLES)


def people(text: str) -> Iterator[str]:
    """The people a text names (HOLDS_NAME), a role that opens a sentence read as no first name:
    "Ordförande Lundgren kan inte …" names no one in full, "Förvaltningschefen Per Sandberg" is
    read on from "Per"."""
    at = 0
    while (m := HOLDS_NAME.search(text, at)) is not None:
        first = m.group(0).split()[0]
        if ROLE.fullmatch(first):
            at = m.start() + len(first)
            continue
        yield m.group(0)
        at = m.end()


def words(text: str) -> list[str]:
    """The text's words in lower case, as a question's words and names are compared."""
    return re.findall(r"\w+", text.casefold())
