"""From a question to an :class:`Answer`: decide, cite, or decline with suggestions.

``answer(question, index)`` is the engine's whole public surface.  It splits a message
holding several questions, answers each from the best curated entry (or, failing that,
from the closest article sentence), and declines whenever the match is weak or the
question names something the matched entry is not about: a confident wrong answer
with a citation is the worst thing the bot can do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.confidence import probability
from bot.knowledge import Citation, Entry
from bot.lexicon import (
    ENGLISH_MARKERS,
    MONTHS,
    QUESTION_WORDS,
    STRICT_TYPES,
    TRANSLIT_MARKERS,
    english_counts,
    is_cyrillic,
    meta_intent,
    stem,
)
from bot.matcher import Index, Query, Scored, describing
from bot.normalise import clean, normalise, strip_address
from bot.phrases import phrase

MAX_QUESTION_CHARS = 1000
FALLBACK_GAP = 0.15
WHY_GIVES_WAY = 0.05  # how close a plain wording must score to beat a why-wording (yes/no)
_NOT_NAMED = " the entry does not name"
MONTH_STEMS = MONTHS | {stem(m) for m in MONTHS}
# A why-wording asking why something matters ("why does liquidity matter") answers that,
# not why it happens ("why is Afghanistan running out of cash") ...
_MATTERS = (r"matters?|mattered|important|importance|crucial|significant|significance|"
            r"big deal")
_WHY_IT_MATTERS = re.compile(rf"\b({_MATTERS})\b", re.IGNORECASE)
# ... though a question about why someone cares, brings it up or worries may ask it.
_ABOUT_WHY_IT_MATTERS = re.compile(
    rf"\b({_MATTERS}|care|cares|cared|worr\w*|concern\w*|bring\w* up|brought up|rais\w*|"
    r"mention\w*|talk\w*|spoke|speak\w*|say|said|think\w*|point|warn\w*|problem\w*|"
    r"stress\w*|emphasi\w*|focus\w*)\b", re.IGNORECASE)
_WHY_WORDING = re.compile(r"^\W*(why|how come)\b", re.IGNORECASE)
_YES_NO = re.compile(r"^(?:so |and |but )?(?:did|does|do|was|were|is|are|has|have|had)\b")
# Words that frame a "how much / how long" question rather than name what is measured.
MEASURE_WORDS = frozenset(stem(w) for w in (
    "last long total exact exactly rough roughly approximately overall altogether number "
    "figure one two three four five six seven eight nine ten eleven twelve twenty dozen "
    "hundred thousand million billion worth value ago sum estimate estimated approx "
    # "how long were troops stationed there": being somewhere, said another way
    "stationed deployed based presence present decade decades "
    # "how many lost their homes back then"
    "back then there time").split()) | {
    # synonym groups, kept whole rather than stemmed: "combined", "roughly"
    "consolidated", "nearly"}


_WHO_SAID = re.compile(r"\bwho (said|says|say|warn\w*|caution\w*|urg\w*|called|critici\w*|"
                       r"told|claim\w*|voiced)\b")
_NAMED = {"placename": "place", "name": "person", "whose": "person or party",
          "orgname": "organisation"}


@dataclass(frozen=True)
class Thresholds:
    """Scoring weights and cut-offs, chosen by a sweep over the tuning split
    (see docs/thresholds.md)."""

    accept: float = 0.50       # an entry's score must reach this to be answered at all
    confidence: float = 0.88   # ... and the confidence model (bot.confidence) this
    margin: float = 0.0        # best must beat a different runner-up by this much
    sentence: float = 0.75     # an article sentence, when no entry is good enough
    suggest: float = 0.25      # entries shown as "closest questions" must reach this
    weights: tuple[float, float, float] = (0.50, 0.30, 0.20)  # fuzz, overlap, coverage
    stray_penalty: float = 0.08  # per article word the matched entry does not cover


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Suggestion:
    """A question the bot can answer, offered when it declines."""

    entry: str
    question: str


@dataclass(frozen=True)
class Explanation:
    """Why the engine answered (or not): for ``--explain`` and ``/why``."""

    wording: str = ""
    score: float = 0.0
    runner_up: str | None = None
    runner_up_wording: str = ""
    runner_up_score: float = 0.0
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    synonyms: tuple[tuple[str, str], ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    confidence: float = 0.0
    features: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Answer:
    """The engine's reply to one message, before any rendering."""

    question: str
    answered: bool
    text: str
    citations: tuple[Citation, ...] = ()
    score: float = 0.0
    entry: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    language: str = "en"
    source: str = "declined"  # "entry" | "article" | "declined" | "multi" | "meta"
    parts: tuple[Answer, ...] = ()
    explanation: Explanation = field(default_factory=Explanation)


_SPLIT = re.compile(
    r"(?:\?+\s*|[;\n]+\s*|\s+[+&]\s+|,?\s+(?:and|also|plus|и|а также|а)\s+(?=(?:also\s+)?"
    r"(?:who|what|whats|when|where|why|how|which|whose|did|does|do|is|are|was|were|will|"
    r"can|could|has|have|кто|что|когда|где|почему|зачем|как|какие|какой|сколько|чем)\b))",
    re.IGNORECASE,
)
# "How many fighters, where are they": after a question, a comma before a question word
# and its verb starts another ("According to Putin, where are they" is one question).
_COMMA_SPLIT = re.compile(r",\s+(?=(?:who|what|when|where|why|how|which)\s+(?:is|are|was|were|"
                          r"did|does|do|will|can|has|have)\b)", re.IGNORECASE)
# "What do they want?": a part whose subject is a pronoun is about the part before it.
_PERSONAL = frozenset({"he", "him", "his", "she", "her", "он", "она", "его", "ее"})
_PRONOUN = re.compile(r"\b(they|them|their|he|him|his|she|her|it|its|these|those|он|она|они|"
                      r"его|ее|их)\b", re.IGNORECASE)


# "What did Lavrov say about drugs and about the US?": the same question on two topics.
_SAME_PREPOSITION = re.compile(r"\b(about|regarding|on)\s.+?(,?\s+and\s+)(?=\1\s)",
                               re.IGNORECASE)
_TOPIC_ONLY = re.compile(r"^(about|regarding|on)\s", re.IGNORECASE)


_ASKS = re.compile(r"^(?:and |also |plus |и |а )?(?:who|what|whats|when|where|why|how|which|whose|"
                   r"did|does|do|is|are|was|were|will|can|could|has|have|кто|что|когда|где|"
                   r"почему|зачем|как|какие|какой|сколько|чем)\b", re.IGNORECASE)


def split_questions(text: str, names_something: Callable[[str], bool] = lambda _: False
                    ) -> list[str]:
    """Split a message holding two or three questions into its parts.

    A short tail that asks nothing and names nothing ("names pls", "name them please")
    qualifies the question before it, so it stays with that question.
    """
    pieces = []
    for piece in _SPLIT.split(text):
        for sub in (_COMMA_SPLIT.split(piece) if _ASKS.match(piece.strip()) else [piece]):
            same = _SAME_PREPOSITION.search(sub) if _ASKS.match(sub.strip()) else None
            pieces.extend([sub[:same.start(2)], sub[same.end(2):]] if same else [sub])
    parts: list[str] = []
    for part in (p.strip(" ,.!") for p in pieces):
        if len(part.split()) < 2 and not (parts and _ASKS.fullmatch(part)):
            continue  # ... but "what did Putin warn, and when?" asks twice
        if parts and len(part.split()) <= 3 and not _ASKS.match(part) \
                and not _TOPIC_ONLY.match(part) and not names_something(part):
            parts[-1] = f"{parts[-1]}, {part}"
        else:
            parts.append(part)
    return parts


def _language(query: Query, best: Scored | None) -> str:
    """Russian for Cyrillic, and for Latin text that matched a transliterated wording or
    reads as transliterated Russian ("skolko deneg dal evrosoyuz"), unless it has English
    function words ("did spain attend" is English)."""
    if query.cyrillic:
        return "ru"
    words = normalise(query.raw).split()
    if any(w in ENGLISH_MARKERS for w in words):
        return "en"
    if any(w in TRANSLIT_MARKERS for w in words):
        return "ru"
    english = english_counts()
    if best is not None and best.language == "ru":
        # ... but "war", all English words, met a Russian wording through an alias
        return "en" if all(w in english for w in words if w.isalpha()) else "ru"
    return "en"


def _a(phrase: str) -> str:
    return f"an {phrase}" if phrase[0] in "aeiou" else f"a {phrase}"


def _mismatch(query: Query, scored: Scored, index: Index) -> frozenset[str]:
    """Names, numbers and answer types in the question that the target is not about."""
    target = scored.target
    missing = {t for t in query.entities if not target.mentions(t)}
    if query.numbers and not any(target.mentions(n) for n in query.numbers):
        missing |= query.numbers  # "2k or 20k?" needs one of its figures to be right
    # "Worried since September": a month or weekday the entry and its paragraphs never name
    # (but "was it on Tuesday?" is answered by the day it was).
    if not _YES_NO.match(query.text):
        missing |= {t for t in query.tokens if t in MONTH_STEMS and not target.mentions(t)}
    if "reason" in query.types and _WHY_IT_MATTERS.search(scored.wording) and \
            not _ABOUT_WHY_IT_MATTERS.search(query.raw):
        # "Why does liquidity matter" says why it matters, not why there is too little.
        missing |= {"a question about why something happens, not why it matters"}
    # "What did Turkey offer the Taliban": an entry where the Taliban travel to Turkey
    # mentions Turkey but has it do nothing.
    if query.actor and target.entry is not None and query.actor not in target.actors:
        missing |= {f"{query.actor} as the one acting"}
    if "speech" in query.types:
        # "What did Pakistan say?": only an entry about something said, by whoever the
        # question names, can answer it.
        missing |= query.entities - scored.target.vocabulary
        if "speech" not in scored.target.types:
            missing |= {"a question about what someone said"}
    # "Which city", "who is the US envoy", "which UN agency": the answer must name a place,
    # a person or an organisation that the question has not named already ("Hanafi is
    # deputy PM, so who is the PM?").  Only a knowledge base whose synonyms say which words
    # are places, people and organisations can tell.
    # "Which republic" wants one named; "which countries" takes "Central Asian countries".
    named = target.answer_names if "one_place" in query.types else target.answer_entities
    synonyms = index.synonyms
    if "one_place" in query.types and target.entry is not None and \
            describing(query.text.split(), target.answer_entities - target.answer_names):
        # "Which ex-Soviet states, by name": an answer that only describes them ("the
        # ex-Soviet states bordering Afghanistan") names none, whatever else it names.
        missing |= {f"a place{_NOT_NAMED}"}
    countries = synonyms.country_tokens
    if "province" in query.types or ("subplace" in query.types and query.entities & countries):
        # "Which city in Turkey", "which northern provinces": no country is the place asked.
        named = named - countries
    if "province" in query.types and not named & synonyms.place_tokens:
        missing |= {f"a place{_NOT_NAMED}"}
    # "Which officials" takes whose they were: any person, place or organisation.
    for kind, tokens in (("placename", synonyms.place_tokens),
                         ("name", synonyms.person_tokens),
                         ("whose", synonyms.entity_tokens),
                         ("orgname", synonyms.organisation_tokens)):
        if kind in query.types and tokens and not (named & tokens) - query.entities:
            missing |= {f"a {_NAMED[kind]}{_NOT_NAMED}"}
    wanted = scored.target.types
    asked = query.types - {"speech", "placename", "one_place", "subplace", "province", "name",
                           "whose", "orgname"} - STRICT_TYPES
    if "person" in asked and _WHO_SAID.search(query.text) and \
            target.answer_entities & index.synonyms.person_tokens:
        asked -= {"person"}  # "who warned that ...": an answer saying "Putin warned" gives it
    if "count" in asked and "quantity" in wanted and "count" not in wanted:
        missing |= {"a count where the entry gives a duration"}
    asked -= {"count"}
    if asked and wanted and not asked & wanted:
        missing |= {_a(f"{t} question") for t in asked}
    # A date, a percentage or a reaction must be what the entry is about, not just near it.
    missing |= {_a(f"{t} question") for t in query.types & STRICT_TYPES - wanted}
    if "quantity" in query.types:
        # "How much did Russia *spend* on the war": a figure is only given for what the
        # entry and its paragraphs talk about, every word of it.
        # Russian inflection defeats exact coverage, so only Latin words are held to it.
        missing |= {t for t in query.tokens if t not in QUESTION_WORDS and t not in query.numbers
                    and t not in query.repaired and t not in MEASURE_WORDS and t.isascii()
                    and not index.covers(target, t)}
    return missing


def _stray(query: Query, scored: Scored, index: Index) -> frozenset[str]:
    """Words the article uses elsewhere but not around this target.

    "What *year* did the talks happen", "how long did the talks *last*": a word of the
    article's that the matched entry never touches marks a question about something else.
    """
    return frozenset(t for t in query.tokens
                     if t in index.article_words and t not in QUESTION_WORDS
                     and t not in query.repaired and not index.covers(scored.target, t))


def _adjusted(query: Query, scored: Scored, index: Index, thresholds: Thresholds) -> float:
    return scored.score - thresholds.stray_penalty * len(_stray(query, scored, index))


def _suggestions(index: Index, ranked: list[Scored], language: str,
                 thresholds: Thresholds, limit: int = 3) -> tuple[Suggestion, ...]:
    chosen = [s.target.entry for s in ranked if s.score >= thresholds.suggest][:limit]
    if not chosen:
        chosen = [index.kb.entry(i) for i in index.kb.featured][:limit]
    return tuple(Suggestion(e.id, e.canonical_in(language)) for e in chosen if e is not None)


def _decline(question: str, index: Index, ranked: list[Scored], language: str,
             thresholds: Thresholds, explanation: Explanation) -> Answer:
    return Answer(question, False, phrase(language, "not_said"),
                  score=ranked[0].score if ranked else 0.0,
                  suggestions=_suggestions(index, ranked, language, thresholds),
                  language=language, explanation=explanation)


def _explain(query: Query, ranked: list[Scored], chosen: Scored | None,
             thresholds: Thresholds, reason: str) -> Explanation:
    top = chosen or (ranked[0] if ranked else None)
    runner = next((s for s in ranked if top is None or s.target.key != top.target.key), None)
    return Explanation(
        wording=top.wording if top else "", score=top.score if top else 0.0,
        runner_up=runner.target.key if runner else None,
        runner_up_wording=runner.wording if runner else "",
        runner_up_score=runner.score if runner else 0.0, thresholds=thresholds,
        synonyms=tuple((f.alias, f.token) for f in query.fired),
        corrections=query.corrections, reason=reason,
    )


def _features(query: Query, scored: Scored, score: float, runner: float,
              sentences: list[Scored], index: Index) -> dict[str, float]:
    """What the confidence model weighs about the best candidate."""
    paragraphs = {c.paragraph for c in scored.target.entry.citations}
    agree = bool(sentences) and sentences[0].target.citation.paragraph in paragraphs
    return {
        "score": score, "fuzz": scored.fuzz, "overlap": scored.overlap,
        "coverage": scored.coverage, "recall": scored.recall, "gap": score - runner,
        "stray": float(len(_stray(query, scored, index))),
        "unknown": index.unknown_share(query), "agree": float(agree),
        "length": min(len(query.tokens), 12) / 12,
    }


def _prefer_plain_wordings(ranked: list[Scored], mismatches: list[frozenset[str]]) -> None:
    """"Did they call for a donor conference?" is not "why did they call for one": where a
    plain wording of another entry scores nearly as well, a why-wording gives way to it."""
    for i, scored in enumerate(ranked):
        if mismatches[i] or not _WHY_WORDING.match(scored.wording):
            continue
        if any(not missing and other.target is not scored.target
               and not _WHY_WORDING.match(other.wording)
               and other.score >= scored.score - WHY_GIVES_WAY
               for other, missing in zip(ranked, mismatches, strict=True)):
            mismatches[i] = frozenset({"a yes/no question, where the entry answers why"})


def _answer_one(question: str, index: Index, thresholds: Thresholds) -> Answer:
    query = index.parse(question)
    ranked = index.rank(query, limit=8, weights=thresholds.weights)
    language = _language(query, ranked[0] if ranked else None)
    if not query.informative:
        return _decline(question, index, ranked, language, thresholds,
                        _explain(query, ranked, None, thresholds, "no content words"))
    mismatches = [_mismatch(query, s, index) for s in ranked]
    if "reason" not in query.types and _YES_NO.match(query.text):
        _prefer_plain_wordings(ranked, mismatches)
    candidates = [(_adjusted(query, s, index, thresholds), s)
                  for s, missing in zip(ranked, mismatches, strict=True) if not missing]
    candidates.sort(key=lambda pair: -pair[0])
    sentences = index.rank(query, limit=3, sentences=True, weights=thresholds.weights)
    reason = "no entry is close enough"
    if "reason" in query.types:
        reason += " (a why-question meets only the why-wordings of entries that have some)"
    if mismatches and mismatches[0]:
        reason = f"the question names {', '.join(sorted(mismatches[0]))}, which " \
                 f"{ranked[0].target.key} is not about"
    if candidates and any(m.endswith(_NOT_NAMED) for m in mismatches[0]) \
            and candidates[0][0] < ranked[0].score - FALLBACK_GAP:
        # The closest entry was ruled out ("which Central Asian countries, by name": it names
        # none) and what is left is far weaker: a near-miss, not another way to answer.
        candidates = []
    if candidates:
        score, scored = candidates[0]
        runner = candidates[1][0] if len(candidates) > 1 else 0.0
        features = _features(query, scored, score, runner, sentences, index)
        sure = probability(features)
        explanation = replace(_explain(query, ranked, scored, thresholds, "matched"),
                              confidence=sure, features=features)
        if score < thresholds.accept or sure < thresholds.confidence:
            reason += f"; best {scored.target.key}: score {score:.3f}, confidence {sure:.2f}"
        elif score - runner < thresholds.margin:
            reason = f"too close to call between {scored.target.key} and " \
                     f"{candidates[1][1].target.key}"
        else:
            entry = scored.target.entry
            return Answer(question, True, entry.answer_in(language), entry.citations,
                          score, entry.id, language=language, source="entry",
                          explanation=explanation)
    for scored in sentences:
        if _adjusted(query, scored, index, thresholds) >= thresholds.sentence and \
                not _mismatch(query, scored, index):
            return Answer(question, True, phrase(language, "article_says"),
                          (scored.target.citation,), scored.score, None, language=language,
                          source="article",
                          explanation=_explain(query, sentences, scored, thresholds,
                                               "closest article sentence"))
    return _decline(question, index, ranked, language, thresholds,
                    _explain(query, ranked, None, thresholds, reason))


def answer_entry(entry: Entry, language: str = "en") -> Answer:
    """The answer to an entry chosen directly (a suggestion button), no matching involved."""
    wording = entry.canonical_in(language)
    return Answer(wording, True, entry.answer_in(language), entry.citations, 1.0, entry.id,
                  language=language, source="entry",
                  explanation=Explanation(wording=wording, score=1.0,
                                          reason="chosen from the suggestions"))


def answer(question: str, index: Index, *, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Answer:
    """Answer one message (which may hold several questions) from the knowledge base."""
    text = clean(strip_address(question or "")).strip()
    if not text:
        example = index.kb.entry(index.kb.featured[0]) if index.kb.featured else None
        return Answer(question, False, phrase("en", "empty", example=example.canonical
                                              if example else "who led the talks?"),
                      suggestions=_suggestions(index, [], "en", thresholds),
                      explanation=Explanation(reason="empty question"))
    if text.startswith("/"):
        return Answer(question, False, phrase("en", "not_said"),
                      suggestions=_suggestions(index, [], "en", thresholds),
                      explanation=Explanation(reason="a command, not a question"))
    intent = meta_intent(normalise(text))
    if intent is not None:
        # About the bot, not the article: say what it does instead of "the article doesn't
        # say" (and record nothing: see bot.store).
        language = "ru" if is_cyrillic(text) else "en"
        return Answer(question, False, phrase(language, f"meta_{intent}"),
                      suggestions=() if intent == "thanks" else
                      _suggestions(index, [], language, thresholds),
                      language=language, source="meta",
                      explanation=Explanation(reason=f"{intent}: a message about the bot"))
    if len(text) > MAX_QUESTION_CHARS:
        return Answer(question, False, phrase("en", "too_long"),
                      explanation=Explanation(reason="question too long"))
    parts = split_questions(text, lambda part: bool(index.parse(part).entities))
    if len(parts) >= 2:
        answers: list[Answer] = []
        asked: list[str] = []
        for part in parts[:3]:
            asked.append(_complete(part, asked[-1], answers[-1], index) if asked else part)
            result = _answer_one(asked[-1], index, thresholds)
            answers.append(replace(result, question=part))
        entries = {a.entry or a.citations[0] for a in answers if a.answered}
        if len(entries) >= 2 or (entries and len(entries) < len(answers)):
            return _combine(question, answers)
    return _answer_one(text, index, thresholds)


def _complete(part: str, before: str, previous: Answer, index: Index) -> str:
    """A part that names nothing borrows what the part before it is about.

    "Which countries took part, and how many were there?" asks how many countries took
    part; in "who criticised the US, and what has *he* said about drugs?" he is the person
    the first answer names, and in "where are the IS fighters, and what do *they* want?"
    they are what the first question names.
    """
    topic = _TOPIC_ONLY.match(part)
    if topic:
        # "... and about the US": the question before, asked about another topic.
        head = re.split(rf"\s{topic[1]}\s", before, flags=re.IGNORECASE)[0]
        return f"{head} {part}"
    query = index.parse(part)
    if not query.informative:
        return f"{part} {_ASKS.sub('', before, count=1).strip()}"
    pronoun = _PRONOUN.search(part)
    if pronoun is None or query.entities:
        return part
    named = index.parse(before).entities
    answered = index.parse(previous.text).entities if previous.answered else frozenset()
    if pronoun[0].lower() in _PERSONAL:
        people = index.synonyms.person_tokens
        pool = (answered & people) or (named & people)
    else:
        pool = named or answered
    return f"{part} {' '.join(sorted(pool))}" if pool else part


def _combine(question: str, answers: list[Answer]) -> Answer:
    answered = [a for a in answers if a.answered]
    citations = tuple(dict.fromkeys(c for a in answered for c in a.citations))
    language = answered[0].language
    lines = [a.text if a.answered else phrase(a.language, "not_said_part", question=a.question)
             for a in answers]
    return Answer(question, True, " ".join(lines), citations,
                  min(a.score for a in answered), answered[0].entry,
                  suggestions=tuple(s for a in answers for s in a.suggestions)[:3],
                  language=language, source="multi", parts=tuple(answers),
                  explanation=answered[0].explanation)
