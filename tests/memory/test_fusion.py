"""Rank fusion on constructed lists: what either search puts first stays near the top whatever the other
search says, agreement between them goes first, and questions about when lift memories that state a time."""

from __future__ import annotations

from datetime import UTC, datetime

from app.memory.ranking import (
    RankSettings,
    asks,
    asks_when,
    fuse,
    named_speakers,
    rank_fusion,
    speaker_of,
    states_time,
    without_words,
)
from app.memory.service import MemoryService
from app.storage.records import Memory

_STAMP = "2024-01-01T12:00:00.000+00:00"
_NOW = datetime(2024, 1, 2, tzinfo=UTC)


def _memories(texts: dict[str, str]) -> dict[str, Memory]:
    return {i: Memory(i, text, "note", _STAMP, _STAMP) for i, text in texts.items()}


def _order(vector: list[str], text: list[str], memories: dict[str, Memory], **kwargs: object) -> list[str]:
    ranked = fuse(
        [(i, 0.5) for i in vector],
        [(i, -1.0) for i in text],
        {i: 0.5 for i in memories},
        memories,
        settings=RankSettings(),
        now=_NOW,
        **kwargs,  # type: ignore[arg-type]
    )
    return [r.memory.id for r in ranked]


def test_the_first_hit_of_either_search_stays_on_top_when_the_other_is_noise() -> None:
    memories = _memories({f"m{n}": f"memory {n}" for n in range(20)})
    noise = [f"m{n}" for n in range(10, 20)]
    for answer_list in ("text", "vector"):
        lists = {"text": ["m0", "m1", "m2"], "vector": noise}
        if answer_list == "vector":
            lists = {"text": noise, "vector": ["m0", "m1", "m2"]}
        order = _order(lists["vector"], lists["text"], memories)
        assert "m0" in order[:2], (answer_list, order)
        # The answer list's top three interleave with the noise, never below the other's fourth.
        assert max(order.index(i) for i in ("m0", "m1", "m2")) < order.index(noise[3])


def test_agreement_between_the_searches_goes_first() -> None:
    memories = _memories({f"m{n}": f"memory {n}" for n in range(10)})
    # m5 is fifth by words and fifth by meaning; every other memory is first or second in one list only.
    order = _order(["m0", "m1", "m2", "m3", "m5"], ["m6", "m7", "m8", "m9", "m5"], memories)
    assert order[0] == "m5"


def test_scores_run_from_zero_to_one_for_the_two_searches() -> None:
    fused = rank_fusion([(["a", "b"], 1.0), (["a", "c"], 1.0)], 60.0)
    assert fused["a"] == 1.0
    assert 0.0 < fused["c"] < fused["b"] + 1e-9 < 0.5


def test_a_question_about_when_lifts_the_memory_that_states_a_time() -> None:
    memories = _memories(
        {
            "plan": "Nora: I love going to the support group, it helps a lot.",
            "went": "Nora: I went to the support group yesterday and it was powerful.",
        }
    )
    both = ["plan", "went"]
    assert _order(both, both, memories) == ["plan", "went"]
    assert _order(both, both, memories, when_question=True) == ["went", "plan"]


def test_questions_and_memories_about_time_are_told_apart() -> None:
    assert asks_when("When did Nora go to the support group?")
    assert asks_when("What year did Theo move?") and asks_when("How long has Theo sailed?")
    assert not asks_when("What did Nora paint?")
    assert states_time("I went there yesterday.") and states_time("We met in May 2022.")
    assert states_time("I ran a half marathon last Sunday.") and states_time("It was two weeks ago.")
    assert not states_time("I love painting sunsets.")


def test_lines_that_mostly_ask_are_told_from_lines_that_tell() -> None:
    assert asks("Maria: Looks fun! What other classes have you done?")
    assert asks("Maria: Thanks, John! Is it a martial arts place or a yoga studio? It looks awesome!")
    assert asks("Where do you keep the spare key?")
    assert not asks("Caroline: I went to a support group yesterday and it was so powerful. How about you?")
    assert not asks("Nate: Look at this! [shares a photo of a turtle? on a rock]")
    assert not asks("John: I'm doing kickboxing and it's giving me so much energy.")


def test_a_question_in_the_conversation_gives_its_place_to_the_answers() -> None:
    """The other speaker's question matches the question best in both searches, yet holds no answer: the
    lines that tell go above it, and the reply right after it keeps the share it gets from it."""
    memories = _memories(
        {
            "asked": "Maria: Is it a martial arts place or a yoga studio?",
            "reply": "John: A yoga studio, I go there often.",
            "done": "John: I'm doing kickboxing and it's giving me so much energy.",
            "other": "John: I took my kids to the museum.",
        }
    )
    lists = (["asked", "done", "other"], ["asked", "done", "other"])
    plain = fuse(
        [(i, 0.5) for i in lists[0]],
        [(i, -1.0) for i in lists[1]],
        {i: 0.5 for i in memories},
        memories,
        settings=RankSettings(asking_share=1.0),
        now=_NOW,
        neighbours=[("asked", "reply", 1)],
    )
    halved = fuse(
        [(i, 0.5) for i in lists[0]],
        [(i, -1.0) for i in lists[1]],
        {i: 0.5 for i in memories},
        memories,
        settings=RankSettings(),
        now=_NOW,
        neighbours=[("asked", "reply", 1)],
    )
    assert plain[0].memory.id == "asked"
    order = [r.memory.id for r in halved]
    assert order.index("done") < order.index("asked"), order
    reply = {r.memory.id: r.score for r in plain}["reply"]
    assert {r.memory.id: r.score for r in halved}["reply"] == reply


def test_speakers_are_a_field_not_a_word() -> None:
    said = [Memory("a", "Caroline: I researched adoption agencies.", "note", _STAMP, _STAMP)]
    assert speaker_of(said[0].text) == "Caroline" and speaker_of("The user's sister is Rosa.") is None
    assert named_speakers("What did Caroline research?", said) == {"Caroline"}
    assert named_speakers("What are Caroline's plans?", said) == {"Caroline"}
    reminder = [Memory("b", "Reminder: call the plumber.", "note", _STAMP, _STAMP)]
    assert named_speakers("what's my reminder?", reminder) == set()
    assert without_words("What are Caroline's plans?", {"Caroline"}).split() == ["What", "are", "plans?"]


def test_an_imported_conversation_answers_from_the_turn_after_the_question(memory: MemoryService) -> None:
    """The reply holds the answer but none of the question's words; the turn asking it has them."""
    lines = [
        ("Theo", "Morning Nora! How was the weekend?"),
        ("Nora", "Busy, we cleaned the whole garage."),
        ("Theo", "How long have you and your husband been married now?"),
        ("Nora", "Five years already, it feels like yesterday!"),
        ("Theo", "I started restoring an old sailing boat."),
        ("Nora", "That sounds like a big project, good luck with it."),
        ("Theo", "Thanks! My uncle helps me on Saturdays."),
        ("Nora", "My husband loves boats too, he grew up near the sea."),
        ("Theo", "Have you two ever been sailing together?"),
        ("Nora", "Once, on our honeymoon, and I was seasick the whole time."),
        ("Theo", "Ha, I will take you out when the boat is ready."),
        ("Nora", "Deal, as long as the lake is calm."),
    ]
    document = {
        "format": "aris-memories",
        "version": 1,
        "exported_at": _STAMP,
        "memories": [
            {
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "text": f"{who}: {text}",
                "kind": "note",
                "created_at": _STAMP,
                "updated_at": _STAMP,
            }
            for n, (who, text) in enumerate(lines)
        ],
    }
    memory.import_json(document)
    top = [r.memory.text for r in memory.search("How long have Nora and her husband been married?", limit=2)]
    assert "Nora: Five years already, it feels like yesterday!" in top, top


def test_the_memory_budget_follows_the_models_context() -> None:
    built_in, downloaded = RankSettings.for_context(2048), RankSettings.for_context(4096)
    assert built_in == RankSettings()
    assert downloaded.prompt_tokens >= 4 * built_in.prompt_tokens and downloaded.limit > built_in.limit
    assert RankSettings.for_context(32768).prompt_tokens == RankSettings.for_context(8192).prompt_tokens


def _conversation(lines: list[tuple[str, str]]) -> dict[str, object]:
    """An export holding ``lines`` as one imported conversation (one timestamp, in order)."""
    return {
        "format": "aris-memories",
        "version": 1,
        "exported_at": _STAMP,
        "memories": [
            {
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "text": f"{who}: {text}",
                "kind": "note",
                "created_at": _STAMP,
                "updated_at": _STAMP,
            }
            for n, (who, text) in enumerate(lines)
        ],
    }


def test_a_named_speakers_small_talk_does_not_answer_for_them(memory: MemoryService) -> None:
    """With the name in it, the question's vector is closest to the speaker's shortest lines (MiniLM scores
    "Nate: You bet!" 0.61 and the Tampa line 0.59 for this question); without it, to what was said. No word
    of the question is in the answer, so only the vector search can find it."""
    lines = [
        ("Joanna", "Hey Nate, how was your week?"),
        ("Nate", "I took my turtles to the beach in Tampa yesterday!"),
        ("Joanna", "My screenplay got picked up by a studio!"),
        ("Nate", "You bet!"),
        ("Joanna", "I drove down to Florida last spring with my sister."),
        ("Nate", "See ya!"),
        ("Joanna", "Talk soon, take care of the little guys."),
        ("Nate", "Take care!"),
        ("Joanna", "Did you watch the tournament final?"),
        ("Nate", "Thanks, Joanna!"),
        ("Joanna", "Bye for now."),
        ("Nate", "Bye!"),
    ]
    memory.import_json(_conversation(lines))
    top = [r.memory.text for r in memory.search("Where did Nate go on a trip?", limit=2)]
    assert top[0] == "Nate: I took my turtles to the beach in Tampa yesterday!", top


def test_a_line_the_question_misattributes_stays_in_reach(memory: MemoryService) -> None:
    """What the named speaker said is lifted, not put first: asked about Nate's screenplay, the line where
    Joanna (not Nate) tells of hers must still be found, so the answer can say who it was."""
    lines = [
        ("Joanna", "My screenplay got picked up by a film studio last week!"),
        ("Nate", "That's amazing, congratulations!"),
        ("Joanna", "Thanks! How is the gaming going?"),
        ("Nate", "I won my first big tournament on Saturday."),
        ("Joanna", "Wow, what game was it?"),
        ("Nate", "Counter-Strike, with my old team."),
        ("Joanna", "I'm baking a dairy-free cake tonight."),
        ("Nate", "I love coconut ice cream, I make it myself."),
    ]
    memory.import_json(_conversation(lines))
    top = [r.memory.text for r in memory.search("Which film studio picked up Nate's screenplay?", limit=3)]
    assert "Joanna: My screenplay got picked up by a film studio last week!" in top, top
