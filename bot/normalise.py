"""Text normalisation: the one place that decides what two strings have in common.

Applied to both sides (knowledge-base wordings at load time, questions at ask time),
so the matcher only ever compares normalised text.
"""

from __future__ import annotations

import re
import unicodedata

# Telegram usernames: 5-32 chars of [A-Za-z0-9_]; commands may carry "@botname".
_ADDRESS = re.compile(
    r"^\s*(?:/ask(?:@(?P<cmd_bot>\w+))?\b|@(?P<mention>\w{3,32})\b)[\s,:;.!?-]*",
    re.IGNORECASE,
)
_QUOTES = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
})
# Zero-width and bidi control characters that people paste without seeing them.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0 ](?=\d{3}\b)")
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")
_POSSESSIVE = re.compile(r"'s\b")
# "imo russia is playing games but @talksbot what ...": a mention anywhere is no word.
_MENTION = re.compile(r"(?<!\w)@\w{3,32}\b")
_NON_WORD = re.compile(r"[^\w]+")
_SPACE = re.compile(r"\s+")
_ABBREVIATIONS = {
    "bn": "billion", "bln": "billion", "mln": "million", "mn": "million", "k": "thousand",
    "млрд": "миллиард", "млн": "миллион", "тыс": "тысяч",
}
# "1.2bn", "1.2 bn", "2k" (a spaced "k" is too often something else).
_NUMBER_WITH_UNIT = re.compile(r"\b(\d+(?:_\d+)?)(?:(k)|\s?(bn|bln|mln|mn|млрд|млн|тыс))\b")


# Chat spellings of the words that say what kind of answer is wanted ("wht", "whn").
_CHAT_SPELLINGS = {
    "wat": "what", "wats": "whats", "wut": "what", "wht": "what", "whn": "when", "wen": "when",
    "whr": "where", "wher": "where", "hw": "how", "abt": "about", "wich": "which", "w": "with",
    "wit": "with", "mny": "many", "sai": "say", "n": "and",
}
_CHAT_WORD = re.compile(r"\b(?:{})\b".format("|".join(_CHAT_SPELLINGS)))


# "2 qs:", "quick question -", "quick one:", "q:" before the question itself.
_LEAD_IN = re.compile(
    r"^\s*(?:(?:quick|small|random|another|last) one|"
    r"(?:(?:\d|one|two|three|a couple of|couple of|a few|few|quick|small|random)\s+)?"
    r"(?:qs|q's|questions?|q))\b\s*(?:[:\-\u2013\u2014,.!?]+\s*|"
    r"(?=(?:who|what|when|where|why|how|which|did|does|do|is|was|are|were)\b))",
    re.IGNORECASE)


def strip_address(text: str) -> str:
    """Remove a leading ``/ask``, ``/ask@bot`` or ``@bot``, and a lead-in such as "2 qs:",
    so only the question is left."""
    previous = None
    while previous != text:
        previous = text
        text = _LEAD_IN.sub("", _ADDRESS.sub("", text, count=1), count=1)
    return text.strip()


# Flags people use for countries in a group chat ("🇫🇷 minister said what").
_FLAGS = {
    "AF": "Afghanistan", "CN": "China", "EU": "European Union", "FR": "France", "IN": "India",
    "IR": "Iran", "KG": "Kyrgyzstan", "KZ": "Kazakhstan", "PK": "Pakistan", "QA": "Qatar",
    "RU": "Russia", "TJ": "Tajikistan", "TM": "Turkmenistan", "TR": "Turkey",
    "UN": "United Nations", "US": "United States", "UZ": "Uzbekistan", "GB": "Britain",
    "DE": "Germany",
}
_FLAG = re.compile("[\U0001F1E6-\U0001F1FF]{2}")


def _flag(match: re.Match[str]) -> str:
    code = "".join(chr(ord(c) - 0x1F1E6 + ord("A")) for c in match[0])
    return f" {_FLAGS[code]} " if code in _FLAGS else " "


def clean(text: str) -> str:
    """Unicode NFKC, drop invisible characters, straighten quotes and dashes (case kept);
    a country's flag becomes its name."""
    text = unicodedata.normalize("NFKC", text)
    text = _FLAG.sub(_flag, text)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return text.translate(_QUOTES)


def normalise(text: str) -> str:
    """Clean, casefold, and reduce to space-separated word tokens.

    Numbers keep their value: "2,000" becomes "2000" and "1.2" becomes "1_2", so a
    figure survives as one token; "$1.2bn" becomes "1_2 billion".
    """
    text = clean(text).casefold()
    text = text.replace("ё", "е")
    text = _THOUSANDS.sub("", text)
    text = _DECIMAL.sub("_", text)
    text = _MENTION.sub(" ", text)
    text = _POSSESSIVE.sub("", text).replace("'", "")
    text = _NON_WORD.sub(" ", text)
    text = _NUMBER_WITH_UNIT.sub(lambda m: f"{m[1]} {_ABBREVIATIONS[m[2] or m[3]]}", text)
    text = _CHAT_WORD.sub(lambda m: _CHAT_SPELLINGS[m[0]], text)
    return _SPACE.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Split already-normalised text into tokens."""
    return text.split()
