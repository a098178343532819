"""Language facts the matcher needs: words that carry no meaning, and a light stemmer.

Kept small on purpose; everything about the article itself lives in ``knowledge/``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import MappingProxyType

_FUNCTION_WORDS = frozenset("""
a an the of to in on at by for from with about as into onto over under than then that this
these those there here it its it's is are was were be been being am do does did done doing
have has had having will would shall should can could may might must and or but if so not no
yes i me my we our us you your he him his she her they them their what which who whom whose
when where why how please tell me know let say said says just really actually also any some
much many very more most other such own same too s t ok okay hey hi hello bot pls plz u ur
wat wut whats whos hows wheres whens thx thanks thank lol btw im dont doesnt didnt isnt
arent wasnt werent cant wont come comes came coming go goes going went gone get gets got getting
make makes made take takes took taken give gives gave given put keep kept let seem seems
happen happens happened happening и в во не что он на я с со как а то все она так его но да ты к
у же вы за бы по только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг
ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей
может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже
себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой
тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после
над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою
этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это скажи
расскажи пожалуйста ли
article mention mentioned mentions mentioning story piece text according per reported
basically actually right wait so lmao rofl omg bro yo rn gonna wanna nah yeah yep ppl guy guys
ngl tbh fr bruh smh idk imo imho ikr tho cuz coz ya yall dude fam lowkey deadass lmfao pls
highkey wild crazy insane nuts sus wtf tf af omfg ffs lmk
anyway exactly literally kinda sorta stuff thing things like against during within without ones
among between while upon onto via r sort kind type even ever already yet still
статье статья статьи новости говорится
привет спасибо пока дела здравствуйте здрасте хорошо норм ок ладно
kak privet spasibo poka dela zdravstvuyte zdravstvuite horosho khorosho norm ladno
v vo na o ob po k ko iz ot za pro dlya pri bez eto li ne ili
сказал сказала сказали говорил говорила говорили говорит заявил заявила заявили
skazal skazala skazali govoril govorila govorili govorit zayavil zayavila zayavili
""".split())

# Question words are kept (they tell "who" from "when"), but weigh little.
QUESTION_WORDS = frozenset(
    """
who what when where why how which whose whom кто что когда где почему зачем как какой какие
сколько чей chto kto kogda gde pochemu zachem skolko
""".split()
)

STOPWORDS = _FUNCTION_WORDS - QUESTION_WORDS

_CYRILLIC = re.compile(r"[а-яё]")
_EN_SUFFIXES = (
    ("ational", "ate"), ("ations", ""), ("ation", ""), ("ments", ""), ("ment", ""),
    ("ings", ""), ("ing", ""), ("ies", "i"), ("ied", "i"), ("edly", ""), ("ed", ""),
    ("ers", "er"), ("es", ""), ("s", ""), ("e", ""), ("y", "i"),
)
_RU_SUFFIXES = tuple(sorted("""
иями ями ами ией ией ого его ому ему ыми ими ых их ой ей ий ый ая яя ое ее ую юю ом ем ам ям
ах ях ов ев ию ья ье ьи ия ие ии ую ть ться ет ют ут ит ат ят ил ила ило или ал ала али ел
ела ели а я о е ы и у ю ь й
""".split(), key=len, reverse=True))


def is_cyrillic(text: str) -> bool:
    """True when ``text`` contains Cyrillic letters."""
    return bool(_CYRILLIC.search(text.lower()))


def stem(token: str) -> str:
    """Cut common inflections so "pledged", "pledges" and "pledge" meet."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if _CYRILLIC.match(token):
        for suffix in _RU_SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                token = token[: -len(suffix)]
                break
        return token[:6]
    for suffix, replacement in _EN_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)] + replacement
            break
    # "commented" -> "comment" must meet "comment" -> "com".
    for suffix in ("ment", "ation"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


# People asked for as a group ("which officials"), and words that do not say whose they are.
_GROUP_OF_PEOPLE = "officials|delegates|diplomats|ministers|commanders|leaders|envoys|" \
    "representatives"
_GENERIC = "foreign|western|senior|top|other|international|government|high-level|key|main"

# Places a "which ..." question can ask to be named, one at a time.
_PLACE_NOUNS = "city|town|province|region|district|building|hotel|venue|state|country|republic"

# What kind of answer a question wants. A question that asks "when" must not be
# answered by an entry none of whose wordings asks "when".
_ANSWER_TYPES = (
    ("reason", re.compile(r"\b(why|how come|for what reason|what for|почему|зачем|pochemu|"
                          r"zachem)\b")),
    ("quantity", re.compile(r"\b(how (many|much|long|big|large|old)|what age|what (number|amount|"
                            r"percentage|share|proportion)|rate|population|budget|gdp|salar(?:y|ies)|revenues?|"
                            r"income|сколько|skolko|skol'ko|уровень|uroven)\b")),
    # "How many troops", not "how many years": a count, which an entry that only says how
    # long something lasted does not give.
    ("count", re.compile(r"\bhow (many|much)\b(?! (years?|decades?|months?|weeks?|days?|"
                         r"hours?|times?|time)\b)")),
    # ("... complain about when he spoke": "when" joining a clause asks no time.)
    ("time", re.compile(r"\b(when(?! (he|she|they|it|we|you|i) (\w+ed|spoke|said|met|was|were|"
                        r"went|came|gave|told|made|took)\b)(?! you (?!think|expect)\w+)"
                        r"(?! the (?:article|story|text|report|piece) )|"
                        r"what (year|date|day|time|"
                        r"month)|which (year|date|day|"
                        r"month)|когда|kogda|в каком году)\b")),
    ("date", re.compile(r"\b(what|which) (year|date|day of the month)|\bon what date|"
                        r"какого числа|в каком году|какой год|какая дата|какую дату\b")),
    ("percent", re.compile(r"\b(percent|percentage|per cent|процент\w*)\b|%")),
    ("reaction", re.compile(r"\b(respond|responded|response|react|reacted|reaction|reply|"
                            r"replied|reject|rejected|"
                            # "Russia formally accepts the new government" is recognition
                            r"(?<!formally )(?<!officially )(?<!official )accept(?:s|ed)?"
                            r"(?! (?:the )?(?:new )?(?:afghan\w* |taliban )?(?:government|"
                            r"regime|rulers|authorities))|"
                            r"how (?:did|has|have|do|does) .+ answer(?:ed)?|отреагировал\w*|"
                            r"ответил\w*|принял\w*|отверг\w*)\b")),
    ("person", re.compile(r"\b(who|whom|кто|кого|кому|kto)\b|\bnames? of the\b")),
    # "Who is the US envoy?", "who commands the fighters?": a name, which only an entry
    # whose answer names someone can give (roles of people the article names are folded
    # into their names before this is read, so "the Kremlin's envoy" is not one).
    ("name", re.compile(r"\b(?:who(?: is| was| are| were)?|whos|names? of)\s+the\s+"
                        r"(?:\S+\s+){0,3}?"
                        r"(?:envoy|minister|ambassador|president|head|leader|commander|chief|"
                        r"spokes(?:man|woman|person)|negotiator|diplomat|representative|"
                        r"official|guy|man|woman|person|reporter|journalist|"
                        r"officials|envoys|diplomats|ministers|leaders)\b|"
                        r"\bwho (?:head|heads|leads|commands?|chair|chairs|chaired|presided)\b|"
                        # "who is Lavrov's deputy": someone else than the person named
                        r"\bwho(?: is| was|s)? (?!the |a |an )\S+ (?:deputy|boss|successor|"
                        r"predecessor|counterpart|aide|assistant|wife|husband)\b|"
                        r"\bwhich (?:\S+ ){0,2}?"
                        r"(?:official|reporter|journalist|delegate|diplomat|minister|"
                        r"commander|leader|envoy|senator|lawmaker|mp)\b|"
                        # "which EU officials": the EU is named, so people are wanted
                        rf"\bwhich (?!(?:{_GENERIC}) )(?:\S+ ){{1,2}}?(?:{_GROUP_OF_PEOPLE})\b")),
    # "Which (foreign) officials did the Taliban meet?": people, or whose they were ("EU and
    # US officials"), which an answer naming a person, a country or a body gives.
    ("whose", re.compile(rf"\bwhich (?:(?:{_GENERIC}) ){{0,2}}(?:{_GROUP_OF_PEOPLE})\b")),
    # "Which city / provinces / states": only an answer naming a place can give it.
    ("placename", re.compile(rf"\bwhich (?:\S+ ){{0,2}}?(?:{_PLACE_NOUNS}|cities|provinces|"
                             r"regions|states|countries|republics)\b|"
                             # "Name the former Soviet republics" ("name" folds to "list")
                             r"^(?:please )?list (?:the |all |all the )?(?:\S+ ){0,2}?"
                             r"(?:country|countries|states|republics|cities|provinces|regions)\b")),
    # What happened after the article, or will: no entry can know it.
    # ("After the talks" and "take place" are left out: the article reports the day's
    # statement "later Wednesday", and "when did the talks take place" is about them.)
    ("later", re.compile(r"\b(next (week|month|year|time|visit|trip|meeting|round)|eventually|"
                         # ... or before it: "the previous Moscow meeting"; a deadline
                         r"previous (round|session)|previous (moscow|russia) (talks|meeting|visit)|"
                         r"by (the )?(winter|spring|summer|autumn|end of (the )?(year|month))|"
                         r"since then|so far|"
                         r"since (the|these|those|that) (talks|meeting|gathering)|"
                         r"в итоге|с тех пор)\b"
                         r"|\bwill\b.*\bafter (the|these|this|that) (\w+ )?"
                         r"(talks|meeting|gathering)\b"
                         # "Did Russia recognise them after the talks?": what came of it
                         # (but the joint statement did come "later Wednesday").
                         r"|^(?!.*statement)(so |and |but )?(did|has|have|was|were)\b.*\bafter "
                         r"(the|these|this|"
                         r"that|his|her|their) (\w+ ){0,2}(talks|gathering|speech|visit|warning)$"
                         # "Did the state collapse like Le Drian warned?": whether it came true
                         r"|^(so |and |but )?(did|has|have|was|were)\b.*\b(like|as) "
                         r"(\w+ ){1,3}(warned|predicted|feared|said it would)$"
                         # "What did the senate decide after Le Drian's speech?"
                         r"|^(what|how) (did|has|have) .+ after (\w+ ){1,3}"
                         r"(speech|warning|visit|address)$"
                         r"|^(so |and |but )?(did|has|have) (it|they|the \w+( \w+)?) "
                         r"(ever |actually |finally )?(happen|happened|take place|taken place)"
                         r"( in the end| yet| already| at all)?$")),
    # "When will the conference happen?", "will Russia reopen its embassy?": what someone
    # will do, which the article reports only where an entry was curated for it.
    ("future", re.compile(r"\b(when|where|who|how|what|which \w+)( exactly)? will\b|"
                          r"\bwhen is .+ (scheduled|planned|due|expected)\b|"
                          r"\b(будет|будут|budet|budut)\b|"
                          r"\bplans? to (spend|use|distribute|deliver|send|allocate)\b|"
                          r"\b(is|are) (\w+ ){0,3}planning to\b|"
                          r"\b(is|are|am) (\w+ ){0,4}?going to (?!be (in|at)\b)\w+|"
                          r"\b(said|say|says) (they|it|he|she) will\b|"
                          r"^(so |and |but |ok )?will\b")),
    # "Who else ...", "besides Lavrov": beyond what the article lists, unless the entry was
    # curated to answer exactly that (a wording asking "who else" supplies it).
    ("else", re.compile(r"\b(who|whom|which \w+|where|anywhere) else\b|\bbesides\b|"
                        r"\bapart from\b|"
                        r"\bother than\b|\bкто ещё\b|\bкто еще\b|\bкроме\b")),
    # "Exactly how many": only an answer with an exact figure ("10", not "more than 14,000").
    ("exact", re.compile(r"\b(exact(ly)?|precise(ly)?|точно)\b.*\b(how (many|much|long)|when|"
                         r"(what|which) (date|day|time|number|figure|amount))\b|"
                         r"\b(how (many|much|long)|when|(what|which) (date|day|time|year))\b"
                         r".*\b(exactly|precisely)\b|"
                         r"\bexact (number|figure|date|amount|time|toll|count)\b|"
                         r"\bwhy\b.*\b(exactly|precisely)\b|"
                         # "why did Brussels settle on one billion as the amount"
                         r"\bwhy\b.*\b(that|the|this|as the) (amount|sum|figure)\b")),
    ("place", re.compile(r"\b(where|wheres|где|куда|откуда|gde|kuda)\b")),
    ("speech", re.compile(r"\b(what|how|что|как|chto)\b.*\b(say|said|says|tell|told|warn|"
                          r"warned|claim|claimed|comment|commented|react|reacted|respond|"
                          r"responded|think|argue|argued|"
                          r"сказал\w*|говорит|заявил\w*|"
                          r"предупредил\w*|skazal\w*)\b|"
                          # "how did the Taliban describe the talks": what they said of them
                          r"\bhow (did|does|do) \w+( \w+)? (describe|characteri[sz]e)\b")),
)


_WHERE_IN_TEXT = re.compile(r"\bwhere (?:does|did|do) (?:it|the (?:article|story|text|report|"
                            r"piece)) (?:say|says|mention|state|talk about)\b|"
                            r"\bwhere in the (?:article|story|text|report|piece)\b")
_REPORTED = re.compile(r"\b(article|story|report|text|piece|news|статье|статья|"
                       r"(?<=does )it|(?<=did )it)\s+"
                       r"(say|says|said|tell|tells|describe|describes|говорит|сказано)\b")


# Read before aliases are folded ("position" is an alias of "role", "agency" of "source").
_UNFOLDED_TYPES = (
    # "India's position on the Taliban": a stance, which only what someone said can give
    # ("what position does Hanafi hold", with no preposition, asks for a role).
    ("speech", re.compile(r"\b(position|stance|views?|attitude|opinion)\s+(on|at|towards?|"
                          r"about|regarding|during|in)\b")),
    # "Which republic", singular, or "which countries, by name": places named, not
    # "former Soviet republics".
    ("one_place", re.compile(rf"\bwhich (?:\S+ ){{0,2}}?(?:{_PLACE_NOUNS})\b|"
                             r"^(?:please )?(?:name|list) (?:the |all |all the )?(?:\S+ ){0,3}?"
                             r"(?:cities|provinces|regions|states|countries|republics)\b|"
                             r"\bwhich (?:\S+ ){0,3}?(?:cities|provinces|regions|states|"
                             r"countries|republics)\b.*\b(?:by name|name them|names?|exactly|"
                             r"specifically)\b")),
    # "Which city in Turkey", "which Afghan provinces": somewhere inside a country the
    # question names, which the country itself does not answer.
    ("subplace", re.compile(r"\b(?:which|what) (?:\S+ ){0,2}?(?:city|cities|town|towns)\b|"
                            r"\bкак\w* город\w*")),
    # "Which northern provinces": a part of a country, which no country answers ("which
    # region" takes "northern Afghanistan").
    ("province", re.compile(r"\b(?:which|what) (?:\S+ ){0,2}?(?:province|provinces|district|"
                            r"districts)\b|\bкак\w* (?:провинци|област|район)\w*")),
    # "What came out of their meeting with US officials": a result, which only an entry
    # curated for one gives.
    ("outcome", re.compile(r"\b(what came out of|what (?:was|were) the (?:outcome|results?) of|"
                           r"what (?:has )?come of)\b")),
    # "How did Putin find out about the fighters?": a source the article never gives.
    ("source", re.compile(r"\bhow (?:did|does|do|could|would) .+ (?:find out|learn|learnt|"
                          r"learned|know|discover)\b")),
    # "Which UN agency", "which news outlet": only an answer naming an organisation.
    ("orgname", re.compile(r"\bwhich (?:\S+ ){0,2}?(?:agency|agencies|organi[sz]ations?|"
                           r"bod(?:y|ies)|outlets?|newspapers?|compan(?:y|ies))\b")),
)


_NAMED_BY_FOLDING = frozenset({"name", "placename"})


def answer_types(normalised: str, unfolded: str = "", *, names_person: bool = True
                 ) -> frozenset[str]:
    """The kinds of answer a (normalised) question asks for: reason, quantity, time, ...

    ``unfolded`` is the same question before synonyms were folded, when there is one;
    ``names_person`` says whether folding found a person in it.
    """
    # "What does the article say": not speech; "where does it say that": no place asked.
    normalised = _REPORTED.sub(" ", _WHERE_IN_TEXT.sub(" ", normalised))
    unfolded = _REPORTED.sub(" ", _WHERE_IN_TEXT.sub(" ", unfolded))
    # Both readings count: folding can swallow the question ("how many times" is an alias),
    # except for a name, which a role folded into a person supplies ("who is the Kremlin's
    # envoy" is "who is Kabulov").
    # ... and a role that folded into no person ("which AFP reporter" is not AFP) asks for one.
    types = {name for name, pattern in _ANSWER_TYPES if pattern.search(normalised) or (
        (name not in _NAMED_BY_FOLDING or (name == "name" and not names_person))
        and pattern.search(unfolded))}
    types.update(name for name, pattern in _UNFOLDED_TYPES if pattern.search(unfolded))
    return frozenset(types)


_ANSWER_SUPPLIES = (
    # A curated answer that gives a condition or cause answers "why" questions too.
    # (A condition is no cause: Le Drian's "if there is not sufficient liquidity" does not
    # say why Afghanistan is short of cash.)
    ("reason", re.compile(r"\b(because|due to|as a result|in order to|so that|"
                          r"потому|из-за|чтобы)\b")),
    # Only an answer holding a year or a day of the month answers "what year/date".
    ("date", re.compile(r"\b(1[89]\d\d|20[0-3]\d)\b(?![s,])|\b\d{1,2} (january|february|march|"
                        r"april|may|june|july|august|september|october|november|december)\b")),
    ("percent", re.compile(r"%|\bper ?cent")),
    # A figure not hedged by "up to", "more than", "some" ...
    ("exact", re.compile(r"(?<!up to )(?<!more than )(?<!some )(?<!about )(?<!around )"
                         r"(?<!nearly )(?<!almost )(?<!over )(?<!least )(?<![\d,.])\d[\d,.]*")),
)

# Answer types an entry supplies only through its answer, never through its wordings:
# a wording asking "what year" does not make an entry know the year.
ANSWER_ONLY_TYPES = frozenset({"date", "percent", "name", "whose", "placename", "one_place",
                               "orgname", "later", "exact", "subplace", "province"})


def supplied_types(normalised_answer: str) -> frozenset[str]:
    """The kinds of answer a curated answer gives beyond its wordings' (a reason)."""
    return frozenset(name for name, p in _ANSWER_SUPPLIES if p.search(normalised_answer))

# Answer types that must be matched exactly (the entry itself is about them).
STRICT_TYPES = frozenset({"date", "percent", "reaction", "later", "exact", "else", "future",
                          "outcome", "source"})
# Months and weekdays: a question naming one asks about that day or month ("worried since
# September", "the Tuesday statement").
MONTHS = frozenset("january february march april may june july august september october "
                   "november december monday tuesday wednesday thursday friday saturday "
                   "sunday".split())

# Words that mark a Latin-script question as English rather than transliterated Russian.
ENGLISH_MARKERS = frozenset("""
the a an is are was were did does do what who when where why how which of to in on at and
about with has have had will would can could this that there their they he she it
""".split())
# ... and words that mark it as transliterated Russian ("skolko deneg dal evrosoyuz").
TRANSLIT_MARKERS = frozenset("""
chto shto kto gde kogda pochemu zachem skolko kak kakoi kakoy kakaya kakie kakih li ne ili
eto etot takoi takoy byl byla bylo byli est mne dlya ot iz za po na vo
""".split())


# How often a word must occur in pyspellchecker's English frequency list to count as a
# real word (below this the list holds typos and oddities such as "wat").
ENGLISH_MIN_COUNT = 100


@functools.cache
def english_counts() -> Mapping[str, int]:
    """Common English words and how often they occur, from pyspellchecker's list.

    The matcher repairs misspellings onto the knowledge base's vocabulary; a real word
    ("spend", "staying", "three") is not a misspelling of a similar one ("send",
    "saying", "there"), so it is only ever folded onto its own inflections.
    """
    from spellchecker import SpellChecker

    counts = SpellChecker(language="en").word_frequency.dictionary
    # Read-only, so one copy serves every index built in a process.
    return MappingProxyType({w: n for w, n in counts.items() if n >= ENGLISH_MIN_COUNT})


def same_word(word: str, other: str) -> bool:
    """Whether two words are inflections of one ("invites"/"invited", "matters"/"matter"):
    they share all but at most two letters of the shorter one, and at least four."""
    shared = 0
    for a, b in zip(word, other, strict=False):
        if a != b:
            break
        shared += 1
    return shared >= max(4, min(len(word), len(other)) - 2)


# Messages about the bot rather than the article: a greeting, thanks, a request for help.
_META = (
    ("help", re.compile(r"^(help( me)?|what can you do|what do you do|how does (this|it) work|"
                        r"how do i use (this|you|it)|who are you|what are you|what is this bot|"
                        r"помощь|помоги|что ты умеешь|кто ты|ты кто)$")),
    ("thanks", re.compile(r"^(thanks?|thank you|thx|ty|cheers|спасибо|спс|благодарю)"
                          r"( (a lot|so much|bot|very much))?$")),
    ("hello", re.compile(r"^(hi|hello|hey|yo|good (morning|afternoon|evening)|привет|"
                         r"здравствуйте|добрый (день|вечер))( (there|bot|everyone|all))?$")),
)


def meta_intent(normalised: str) -> str | None:
    """"help", "thanks" or "hello" when a (normalised) message is about the bot, else None."""
    return next((name for name, pattern in _META if pattern.match(normalised)), None)
