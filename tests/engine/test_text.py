"""Sentence cutting of a token stream, and speech-safe text."""

from __future__ import annotations

from engine.text import SentenceSplitter, speakable


def feed_all(splitter: SentenceSplitter, tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        out += splitter.feed(token)
    return out + splitter.flush()


def test_sentences_come_out_as_soon_as_the_next_token_shows_they_ended() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("The capital") == []
    assert splitter.feed(" is Paris.") == []
    assert splitter.feed(" It") == ["The capital is Paris."]
    assert splitter.feed(" is big!") == []
    assert splitter.flush() == ["It is big!"]


def test_abbreviations_decimals_and_initials_do_not_end_a_sentence() -> None:
    tokens = ["Dr. Smith", " paid 3.50 euros", " to J. R. Tolkien", " at 5 p.m. today.", " Next one."]
    assert feed_all(SentenceSplitter(first_clause_chars=1000), tokens) == [
        "Dr. Smith paid 3.50 euros to J. R. Tolkien at 5 p.m. today.",
        "Next one.",
    ]


def test_long_first_sentence_is_cut_at_a_clause_but_later_ones_are_not() -> None:
    first = "Paris is the capital and largest city of France, with millions of people, and it is old."
    second = "It has many museums, galleries, parks, bridges and a very famous tower by the river."
    words = f"{first} {second}".split(" ")
    tokens = [words[0], *(" " + word for word in words[1:])]
    out = feed_all(SentenceSplitter(), tokens)
    assert out[0] == "Paris is the capital and largest city of France,"
    assert out[1:] == ["with millions of people, and it is old.", second]


def test_the_first_clause_comes_out_as_soon_as_its_comma_does_unless_it_is_a_word_or_two() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("Well,") == []
    assert splitter.feed(" a spider") == []
    assert splitter.feed(" has eight legs,") == []
    assert splitter.feed(" which") == ["Well, a spider has eight legs,"]
    assert splitter.feed(" help it walk, climb") == []
    assert splitter.flush() == ["which help it walk, climb"]


def test_markdown_emoji_and_links_are_not_read_aloud() -> None:
    assert speakable("**Sure!** Visit https://example.com 😀 now") == "Sure! Visit a link now"
    assert speakable("- one\n- two") == "one two"
    assert speakable("  ") == ""
