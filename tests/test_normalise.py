"""The normaliser: both sides of every comparison go through it."""

import pytest

from bot.lexicon import stem
from bot.normalise import clean, normalise, strip_address


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Russia’s “bias”", "russia bias"),
        ("  WHO   led\tthe talks?? ", "who led the talks"),
        ("2,000 fighters", "2000 fighters"),
        ("$1.2 billion", "1_2 billion"),
        ("1.2bn dollars", "1_2 billion dollars"),
        ("1.2 bn dollars", "1_2 billion dollars"),
        ("1 bln euros", "1 billion euros"),
        ("2k fighters", "2 thousand fighters"),
        ("2 k fighters", "2 k fighters"),  # a spaced "k" is too often something else
        ("wht did he say abt it, whn?", "what did he say about it when"),
        ("how long did troops stay n when did the taliban take over",
         "how long did troops stay and when did the taliban take over"),
        ("how mny fighters did putin sai", "how many fighters did putin say"),
        ("imo games but @talksbot what did lavrov say", "imo games but what did lavrov say"),
        ("email me@example.com", "email me example com"),  # an address is not a mention
        ("whatever", "whatever"),
        ("🇫🇷 minister said what", "france minister said what"),  # a flag is its country
        ("🇯🇵 hi", "hi"),  # ... and an unknown one is nothing
        ("IS-linked", "is linked"),
        ("Кабулов — посланник", "кабулов посланник"),
        ("ёлка", "елка"),
        ("ﬁghters", "fighters"),  # NFKC folds the ligature
        ("tal\u200biban", "taliban"),  # zero-width space
        ("", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/ask who is Hanafi?", "who is Hanafi?"),
        ("/ask@talks_test_bot who is Hanafi?", "who is Hanafi?"),
        ("/ASK  who", "who"),
        ("@talks_test_bot, who is Hanafi?", "who is Hanafi?"),
        ("/ask", ""),
        ("/asking for a friend", "/asking for a friend"),
        ("who is @talks_test_bot", "who is @talks_test_bot"),
        # a lead-in before the question ("2 qs:" once read as the figure 2)
        ("@talks_test_bot 2 qs: who is Hanafi and what did he say",
         "who is Hanafi and what did he say"),
        ("quick question - who is Hanafi?", "who is Hanafi?"),
        ("q: who is Putin", "who is Putin"),
        ("quick one: which countries were there", "which countries were there"),
        ("one of the ministers said what", "one of the ministers said what"),
        ("one-line summary", "one-line summary"),
        ("questions about the Taliban?", "questions about the Taliban?"),
        ("Qatar?", "Qatar?"),
    ],
)
def test_strip_address(raw, expected):
    assert strip_address(raw) == expected


def test_clean_keeps_case_but_drops_controls():
    assert clean("IS\x00 fighters\u202e") == "IS fighters"


@pytest.mark.parametrize(
    "words",
    [("comment", "commented", "comments", "commenting"), ("pledge", "pledged", "pledges"),
     ("govern", "government", "governments", "governed")],
)
def test_inflections_meet_one_stem(words):
    assert len({stem(w) for w in words}) == 1
