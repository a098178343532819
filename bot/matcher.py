"""Scoring a question against every curated wording, and against the article's sentences.

``Index(kb)`` precomputes everything that does not depend on the question (folded,
stemmed wordings, token weights, an inverted index, the vocabulary for typo repair).
``index.parse(text)`` turns a question into a :class:`Query`; ``index.rank(query)``
returns the best targets, best first.  Deciding whether to answer is not done here.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from operator import itemgetter
from sys import intern

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.knowledge import Citation, Entry, KnowledgeBase, sentence_spans
from bot.lexicon import (
    ANSWER_ONLY_TYPES,
    QUESTION_WORDS,
    STOPWORDS,
    answer_types,
    english_counts,
    is_cyrillic,
    same_word,
    stem,
    supplied_types,
)
from bot.normalise import clean, normalise, strip_address
from bot.synonyms import Fired

# Default weights of the three similarity features (each in 0..1); the engine passes
# the tuned ones from ``bot.answer.Thresholds`` (docs/thresholds.md).
DEFAULT_WEIGHTS = (0.30, 0.40, 0.30)
QUESTION_WORD_WEIGHT = 0.4
_HAS_DIGIT = re.compile(r"\d")
_COMPARED = re.compile(r"\b(?:more than|over|less than|under|at least|fewer than|above|below|"
                       r"около|более|больше|меньше|свыше) (\S*\d\S*)")
_PREFIX = 5
# "What did Turkey offer", "did the US agree": the subject of a question (but "how does the
# AFP story describe" is about the story).
_ACTOR = re.compile(r"^(?:(?:what|how|why|when|where) )?(?:did|does|do|has|have|had|will|would)"
                    r" (?:the )?(\w+)(?! (?:story|article|report|piece|text|news)\b)")
COMMON_POSTINGS = 2000  # words in more wordings than this only rescore candidates
GENERAL_WEIGHT_SCALE = 0.75  # weight of an unused English word per power of ten rarer
SHORTLIST = 80            # wordings rescored in full per question (by shared-word weight)
CLEARLY_CLOSER = 20       # points of raw similarity that break an exact tie
NEAR_PERFECT = 0.95       # ties between an entry's own wordings matter only up here


@dataclass(frozen=True)
class Query:
    """A question reduced to what the matcher compares."""

    raw: str
    text: str
    tokens: tuple[str, ...]
    entities: frozenset[str]
    numbers: frozenset[str]
    fired: tuple[Fired, ...]
    corrections: tuple[tuple[str, str], ...]
    cyrillic: bool
    types: frozenset[str] = frozenset()
    repaired: frozenset[str] = frozenset()
    actor: str | None = None  # whom it has acting: "what did *Turkey* offer"

    @property
    def informative(self) -> bool:
        """True when the question has a word beyond "who/what/when"."""
        return any(t not in QUESTION_WORDS for t in self.tokens)


@dataclass(frozen=True, slots=True)
class Target:
    """Something a question can match: a curated entry, or one sentence of an article.

    ``vocabulary`` holds the stems of its wordings, answer and quotes; ``paragraphs`` the
    stems of the paragraphs it cites (shared between targets, not copied).
    """

    key: str
    entry: Entry | None
    citation: Citation | None
    vocabulary: frozenset[str]
    paragraphs: tuple[frozenset[str], ...]
    types: frozenset[str] = frozenset()
    answer_entities: frozenset[str] = frozenset()  # people, countries ... its answer names
    answer_names: frozenset[str] = frozenset()  # ... less those that only describe others
    actors: frozenset[str] = frozenset()  # who its wordings have acting ("did *X* go ...")

    def mentions(self, token: str) -> bool:
        """Whether the target or a paragraph it cites uses ``token``."""
        return token in self.vocabulary or any(token in p for p in self.paragraphs)


@dataclass(frozen=True)
class Scored:
    """One target's score for a query, with the wording that scored best."""

    target: Target
    score: float
    wording: str
    language: str
    fuzz: float
    overlap: float
    coverage: float
    recall: float = 0.0  # share of the wording's weight that the question repeats


@dataclass(frozen=True, slots=True)
class _Wording:
    target: int
    text: str
    tokens: tuple[str, ...]  # sorted stems
    joined: str              # " ".join(tokens): what the character similarity compares
    language: str
    types: frozenset[str] = frozenset()  # what it asks for: reason, time, quantity ...
    actor: str | None = None  # whom it has acting ("did *the Taliban* go ...")


# "Former Soviet republics", "Central Asian countries": a name that only describes the
# places after it names none of them ("which republic?" is not answered by it).
_DESCRIBED = frozenset("country republics countries states nations neighbor neighbours neighbors"
                       .split())


# "The ex-Soviet states bordering Afghanistan": Afghanistan only says which states.
_LOCATING = frozenset("bordering neighbouring neighboring neighbor near around".split())


def describing(words: list[str], entities: frozenset[str]) -> frozenset[str]:
    """The ``entities`` among ``words`` that describe the places after them ("*Central
    Asian* countries")."""
    return frozenset(w for w, after in pairwise(words)
                     if w in entities and after in _DESCRIBED)


def _named(words: list[str], entities: frozenset[str]) -> frozenset[str]:
    """The ``entities`` among ``words``, less those that only describe other places."""
    return frozenset(w for i, w in enumerate(words) if w in entities
                     and (i + 1 == len(words) or words[i + 1] not in _DESCRIBED)
                     and (i == 0 or words[i - 1] not in _LOCATING))


class Index:
    """Precomputed matching data for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.synonyms = kb.synonyms
        self.entry_targets: list[Target] = []
        self.sentence_targets: list[Target] = []
        self._wordings: list[_Wording] = []
        self._sentence_wordings: list[_Wording] = []
        raw_vocabulary: set[str] = set()
        paragraph_tokens = {
            (slug, n): frozenset(self._stems(self.fold(p)[0], raw_vocabulary))
            for slug, article in kb.articles.items()
            for n, p in enumerate(article.paragraphs, 1)
        }
        # One copy of each set of answer types, however many wordings and entries share it.
        self._types: dict[frozenset[str], frozenset[str]] = {}
        self._explains: set[int] = set()
        for entry in kb.entries:
            texts = [(q, "en") for q in entry.questions] + [(q, "ru") for q in entry.questions_ru]
            body = [entry.answer, entry.answer_ru] + [c.text for c in entry.citations]
            vocabulary: set[str] = set()
            types: set[str] = set()
            actors: set[str] = set()
            target = len(self.entry_targets)
            for text, language in texts:
                wording = self._wording(target, text, language, raw_vocabulary)
                vocabulary.update(wording.tokens)
                types |= wording.types - ANSWER_ONLY_TYPES
                if wording.actor:
                    # Who acts in it is whoever its own wordings have acting ("did the
                    # Taliban go to Turkey": the Taliban, not Turkey).
                    actors.add(wording.actor)
                self._wordings.append(wording)
            for text in body:
                vocabulary |= self._stems(self.fold(text)[0], raw_vocabulary)
            # The answer as written: "2,000 fighters" is a number, not the year 2000.
            supplied = supplied_types(clean(entry.answer).lower())
            if "reason" in types and "reason" not in supplied:
                self._explains.add(target)  # only its why-wordings say which "why" it answers
            types |= supplied
            answer_words = self.fold(entry.answer)[0].split()
            named = frozenset(answer_words) & kb.synonyms.entity_tokens
            cited = tuple(dict.fromkeys(paragraph_tokens[(c.article, c.paragraph)]
                                        for c in entry.citations))
            types_key = frozenset(types)
            self.entry_targets.append(Target(entry.id, entry, None, frozenset(vocabulary), cited,
                                             self._types.setdefault(types_key, types_key),
                                             named, _named(answer_words, named),
                                             frozenset(actors)))
        for slug, article in kb.articles.items():
            for number, paragraph in enumerate(article.paragraphs, 1):
                for i, (start, end) in enumerate(sentence_spans(paragraph), 1):
                    sentence = paragraph[start:end]
                    target = len(self.sentence_targets)
                    wording = self._wording(target, sentence, "en", raw_vocabulary)
                    self._sentence_wordings.append(wording)
                    self.sentence_targets.append(Target(
                        f"{slug}#{number}.{i}", None, Citation(slug, number, sentence, sentence),
                        frozenset(wording.tokens), (paragraph_tokens[(slug, number)],),
                    ))
        english = english_counts()
        prefixes: list[str] = []
        # A name typed as one word ("ledrian", "abdulsalam") is the alias it runs together.
        self._joined: dict[str, str] = {}
        for group in kb.synonyms.groups:
            for alias in group.aliases:
                words = normalise(alias.rstrip("*")).split()
                raw_vocabulary.update(words)
                if alias.endswith("*") and " " not in alias and alias.isascii():
                    prefixes.append(normalise(alias[:-1]))
                joined = "".join(words)
                if len(words) > 1 and len(joined) >= 6 and joined.isalpha() and joined.isascii():
                    self._joined.setdefault(joined, " ".join(words))
        # "recogni*" is an alias: the English words it covers are what a typo should meet
        # ("rceognize" -> "recognize"), not the bare prefix.
        if prefixes:
            raw_vocabulary.update(w for w in english if w.startswith(tuple(prefixes)))
        self.article_words = frozenset().union(*paragraph_tokens.values())
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        self._known = frozenset(raw_vocabulary)
        self._joined = {k: v for k, v in self._joined.items() if k not in self._known}
        for word in sorted({t for t in raw_vocabulary if t.isalpha() and len(t) >= 3}
                           | self._joined.keys()):
            self._by_initial[word[0]].append(word)
        self._english = frozenset(english) - self._known
        # How common each vocabulary word is: the likelier of two equally close repairs wins.
        self._frequency = {w: english[w] for w in self._known if w in english}
        self.weights = self._weights()
        self._general = self._general_weights(english)
        self._totals = {
            False: array("d", (sum(self.weight(t) for t in w.tokens) for w in self._wordings)),
            True: array("d", (sum(self.weight(t) for t in w.tokens)
                              for w in self._sentence_wordings)),
        }
        self._postings = self._invert(self._wordings)
        self._sentence_postings = self._invert(self._sentence_wordings)

    # -- preparation -------------------------------------------------------------------
    def actor(self, folded: str) -> str | None:
        """The person, country or body a folded question has acting ("what did *turkey*
        offer"), or None."""
        match = _ACTOR.match(folded)
        if match and match.group(1) in self.synonyms.entity_tokens:
            return match.group(1)
        return None

    def fold(self, text: str) -> tuple[str, tuple[Fired, ...]]:
        """Normalise ``text`` with aliases folded into canonical tokens."""
        return self.synonyms.fold(clean(text))

    def term(self, word: str) -> str:
        """The token a folded word is compared as: its stem, or a synonym group's canonical
        token as it stands ("turkey" must stay "turkey" to be recognised as a country)."""
        return word if word in self.synonyms.tokens else stem(word)

    def _stems(self, folded: str, vocabulary: set[str]) -> set[str]:
        words = folded.split()
        vocabulary.update(words)
        # Interned: a large knowledge base repeats the same stems hundreds of thousands of times.
        return {intern(self.term(w)) for w in words if w not in STOPWORDS}

    def _wording(self, target: int, text: str, language: str, vocabulary: set[str]) -> _Wording:
        folded = self.fold(text)[0]
        stems = self._stems(folded, vocabulary)
        tokens = tuple(sorted(stems))
        asks = answer_types(folded, normalise(text),
                            names_person=not stems.isdisjoint(self.synonyms.person_tokens))
        return _Wording(target, text, tokens, " ".join(tokens), language,
                        self._types.setdefault(asks, asks), self.actor(folded))

    def _weights(self) -> dict[str, float]:
        document_frequency: dict[str, int] = defaultdict(int)
        for target in self.entry_targets:
            for token in target.vocabulary:
                document_frequency[token] += 1
        total = len(self.entry_targets) + 1
        return {t: math.log(total / (df + 0.5)) for t, df in document_frequency.items()}

    def _general_weights(self, english: Mapping[str, int]) -> dict[str, float]:
        """Weights for English words no entry uses, from how common they are in general:
        "well" or "three" says little about what is asked, "budget" a lot."""
        counts: dict[str, int] = defaultdict(int)
        for word, count in english.items():
            if word not in STOPWORDS:
                counts[stem(word)] += count  # "wells" and "well" are one token
        top = max(english.values(), default=1)
        return {intern(token): min(GENERAL_WEIGHT_SCALE * math.log10(top / count),
                                   self.unknown_weight)
                for token, count in counts.items() if token not in self.weights}

    @property
    def unknown_weight(self) -> float:
        """Weight of a word no entry uses: as rare as a word can be."""
        return math.log((len(self.entry_targets) + 1) / 0.5)

    @staticmethod
    def covers(target: Target, token: str) -> bool:
        """Whether the target or its paragraphs use ``token`` or a word sharing its first
        five letters: "participating" and "participants" are the same topic."""
        if target.mentions(token):
            return True
        if len(token) < _PREFIX:
            return False
        prefix = token[:_PREFIX]
        return any(w.startswith(prefix) for words in (target.vocabulary, *target.paragraphs)
                   for w in words)

    def unknown_share(self, query: Query) -> float:
        """Share of the question's weight in words no entry uses."""
        total = sum(self.weight(t) for t in query.tokens)
        unknown = sum(self.weight(t) for t in query.tokens if t not in self.weights)
        return unknown / total if total else 1.0

    def weight(self, token: str) -> float:
        """How much a (stemmed) token says about which entry is meant."""
        if token in QUESTION_WORDS:
            return QUESTION_WORD_WEIGHT
        known = self.weights.get(token)
        if known is None:
            known = self._general.get(token, self.unknown_weight)
        return max(known, 0.1)

    @staticmethod
    def _invert(wordings: list[_Wording]) -> dict[str, array]:
        postings: dict[str, array] = defaultdict(lambda: array("I"))
        for i, wording in enumerate(wordings):
            for token in wording.tokens:
                postings[token].append(i)
        return dict(postings)

    # -- questions ---------------------------------------------------------------------
    def _repair(self, word: str) -> str:
        """Map a misspelt word onto the knowledge base's vocabulary, if one is close."""
        if word in self._joined:
            return self._joined[word]
        if word in self._known or word in STOPWORDS or len(word) < 4 or not word.isalpha():
            return word
        # Slips (a letter missing, doubled, swapped or wrong) allowed: one in a word of up to
        # seven letters, two up to eleven, three beyond. Real words are guarded below.
        slips = 1 if len(word) <= 7 else 2 if len(word) <= 11 else 3
        cutoff = 1 - slips / len(word) - 0.01
        # A word that is no English word takes one slip more ("pledj", "fiters"), but only
        # onto a content word: "dursg" is not "during".
        heavy = 1 - (slips + 1) / len(word) - 0.01 if len(word) >= 5 else cutoff
        # Typos rarely change the first letter; requiring it keeps real words from being
        # "repaired" into other ones ("currently" is not "urgently", "ought" not "fought").
        found = [f for f in process.extract(word, self._by_initial.get(word[0], ()),
                                            scorer=DamerauLevenshtein.normalized_similarity,
                                            score_cutoff=min(cutoff, heavy), limit=8)
                 if f[1] >= cutoff or (f[0] not in STOPWORDS and word not in self._english)]
        if not found:
            return word
        # Equally close: the commoner word ("waht" is "what" before "wait").
        best = max(found, key=lambda f: (round(f[1], 6), self._frequency.get(f[0], 0)))[0]
        if word in self._english and not same_word(word, best):
            return word  # a real word ("spend"), not a slip for a similar one ("send")
        return self._joined.get(best, best)

    def parse(self, question: str) -> Query:
        """Reduce a question to folded, repaired, stemmed content tokens."""
        cleaned = clean(strip_address(question))
        folded, fired = self.synonyms.fold(cleaned)
        corrections = []
        words = []
        for word in folded.split():
            repaired = self._repair(word)
            if repaired != word:
                corrections.append((word, repaired))
            words.append(repaired)
        text = " ".join(words)
        if corrections:
            # A repaired word may now be (part of) an alias: "lavrof" is "lavrov", and
            # "jonit statement" is the joint statement.  Fold the repaired question afresh
            # where every slip can be found in it, else fold what the first pass left.
            redone = cleaned
            for typo, fixed in corrections:
                redone, found = re.subn(rf"(?<!\w){re.escape(typo)}(?!\w)", fixed, redone,
                                        flags=re.IGNORECASE)
                if not found:
                    redone = None
                    break
            if redone is not None:
                text, fired = self.synonyms.fold(redone)
            else:
                text, more = self.synonyms.fold(text)
                fired = fired + more
        content = tuple(dict.fromkeys(self.term(w) for w in text.split() if w not in STOPWORDS))
        entities = frozenset(t for t in content if t in self.synonyms.entity_tokens)
        # "More than 10,000?" checks a figure rather than naming one: leave it out.
        compared = set(_COMPARED.findall(text))
        numbers = frozenset(t for t in content if _HAS_DIGIT.search(t) and t not in compared)
        return Query(question, text, content, entities, numbers, fired, tuple(corrections),
                     is_cyrillic(cleaned),
                     answer_types(text, normalise(cleaned),
                                  names_person=bool(entities & self.synonyms.person_tokens)),
                     # ("served" put onto "serves" is the same word, not a repair)
                     frozenset(self.term(w) for a, b in corrections
                               if self.term(a) != self.term(b) for w in b.split()),
                     self.actor(text))

    def rank(self, query: Query, *, limit: int = 5, sentences: bool = False,
             weights: tuple[float, float, float] = DEFAULT_WEIGHTS) -> list[Scored]:
        """The best-scoring targets for ``query`` (one per target), best first.

        ``weights`` weigh character similarity, weighted word overlap with the wording,
        and how much of the question the entry's vocabulary covers.
        """
        fuzz_weight, overlap_weight, coverage_weight = weights
        wordings = self._sentence_wordings if sentences else self._wordings
        postings = self._sentence_postings if sentences else self._postings
        targets = self.sentence_targets if sentences else self.entry_targets
        if not query.tokens:
            return []
        weights = {t: self.weight(t) for t in query.tokens}
        query_total = sum(weights.values())
        # Candidates come from the question's rarer words; a word in more than
        # COMMON_POSTINGS wordings ("taliban" in a big knowledge base) only rescores them.
        # This keeps the cost per question nearly flat as the knowledge base grows.
        rare_first = sorted((t for t in query.tokens if t in postings),
                            key=lambda t: len(postings[t]))
        shared: dict[int, float] = defaultdict(float)
        rescore: list[str] = []
        for token in rare_first:
            if shared and len(postings[token]) > COMMON_POSTINGS:
                rescore.append(token)
                continue
            weight = weights[token]
            for i in postings[token]:
                shared[i] += weight
        totals = self._totals[sentences]
        candidates = (self._shortlist(shared, totals, query_total)
                      if len(shared) > SHORTLIST else shared.items())
        query_sorted = " ".join(sorted(query.tokens))
        why = "reason" in query.types and not sentences
        best: dict[int, Scored] = {}
        coverage_cache: dict[int, float] = {}
        for i, common in candidates:
            wording = wordings[i]
            if why and "reason" not in wording.types and wording.target in self._explains:
                # "Why did the US skip the talks?" is not "did the US skip the talks" when
                # the entry's why-wordings give a narrower reason (Lavrov's criticism).
                continue
            if rescore:
                common += sum(weights[t] for t in rescore if t in wording.tokens)
            wording_total = totals[i]
            overlap = 2 * common / (query_total + wording_total)
            similarity = fuzz.ratio(query_sorted, wording.joined) / 100
            if wording.target not in coverage_cache:
                vocabulary = targets[wording.target].vocabulary
                covered = sum(w for t, w in weights.items() if t in vocabulary)
                coverage_cache[wording.target] = covered / query_total
            coverage = coverage_cache[wording.target]
            score = (fuzz_weight * similarity + overlap_weight * overlap
                     + coverage_weight * coverage)
            current = best.get(wording.target)
            if current is None or score > current.score + 1e-9 or (
                    score >= NEAR_PERFECT and score > current.score - 1e-9
                    and self._likeness(query, wording.text) > self._likeness(query,
                                                                              current.wording)):
                best[wording.target] = Scored(targets[wording.target], score, wording.text,
                                              wording.language, similarity, overlap, coverage,
                                              common / wording_total if wording_total else 0.0)
        ranked = sorted(best.values(), key=lambda s: -s.score)[:limit]
        return self._break_ties(query, ranked)

    @staticmethod
    def _shortlist(shared: dict[int, float], totals: array,
                   query_total: float) -> list[tuple[int, float]]:
        """The wordings worth scoring in full: the SHORTLIST sharing the most weight with
        the question, and the SHORTLIST // 2 whose words it covers best (among a hundred
        wordings naming Kabulov, the short "kabulov?" must get in too)."""
        by_weight = heapq.nlargest(SHORTLIST, shared.items(), key=itemgetter(1))
        # (-i: among equals, the wording written first, as the curator ordered them.)
        keyed = [(common / (query_total + totals[i]), -i, common) for i, common in shared.items()]
        by_overlap = [(-minus_i, common) for _, minus_i, common
                      in heapq.nlargest(SHORTLIST // 2, keyed)]
        return list(dict((*by_weight, *by_overlap)).items())

    def _likeness(self, query: Query, wording: str) -> float:
        """How much a wording reads like the question as typed (0-100): breaks exact ties."""
        return fuzz.ratio(query.text, self.fold(wording)[0])

    def _break_ties(self, query: Query, ranked: list[Scored]) -> list[Scored]:
        """Among targets tied on score, put first one whose wording is the question as typed,
        or reads clearly more like it ("putin?" is "putin?", not "wat did putin say");
        otherwise keep the knowledge base's order, which synthetic noise cannot reorder."""
        if len(ranked) < 2 or ranked[1].score < ranked[0].score - 1e-9:
            return ranked
        tied = [s for s in ranked if s.score >= ranked[0].score - 1e-9]
        likeness = [self._likeness(query, s.wording) for s in tied]
        best = max(range(len(tied)), key=lambda k: likeness[k])
        if likeness[best] == 100 or likeness[best] - likeness[0] >= CLEARLY_CLOSER:
            tied.insert(0, tied.pop(best))
        return tied + ranked[len(tied):]
