"""Passages from the user's documents: in the prompt before the question, and returned as the turn's
sources, searched once per question (scripted stages)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.chat import Role
from engine.documents import DOCUMENTS_HEADER, NOT_FOUND_REPLY, Source, asks_about_documents, quoted_answer
from engine.pipeline import PipelineSettings, VoicePipeline
from tests.fakes import ScriptedMemory, ScriptedResponder, ScriptedSynthesizer, ScriptedTranscriber

MANUAL = Source("/home/me/manual.pdf", 3, "Fill the tank with water and 100 ml of descaler.", "Descaling")


class ScriptedDocuments:
    """Returns the scripted passages for the questions it knows; records every search."""

    def __init__(self, found: dict[str, Sequence[Source]]) -> None:
        self.found = found
        self.asked: list[str] = []

    def passages(self, question: str) -> Sequence[Source]:
        self.asked.append(question)
        return self.found.get(question, ())


def test_passages_go_into_the_prompt_and_come_back_as_sources() -> None:
    question = "How do I descale my coffee machine?"
    documents = ScriptedDocuments({question: [MANUAL]})
    responder = ScriptedResponder("Fill the tank with water and descaler.")
    pipeline = VoicePipeline(
        ScriptedTranscriber(), responder, ScriptedSynthesizer(), memory=ScriptedMemory(), documents=documents
    )

    result = pipeline.text_turn(question, None)

    assert result.sources == (MANUAL,)
    prompt = responder.calls[0]
    assert prompt[-1].role is Role.USER and prompt[-1].content == question
    given = prompt[-2].content
    assert given.startswith(DOCUMENTS_HEADER)
    assert "[manual.pdf, page 3] Fill the tank" in given
    assert documents.asked == [question]


def test_no_passages_no_sources_and_a_personal_question_is_still_not_invented() -> None:
    documents = ScriptedDocuments({})
    pipeline = VoicePipeline(
        ScriptedTranscriber(),
        ScriptedResponder("Paris."),
        ScriptedSynthesizer(),
        memory=ScriptedMemory(),
        documents=documents,
    )

    assert pipeline.text_turn("What is the capital of France?", None).sources == ()
    assert pipeline.text_turn("What is my sister's name?", None).reply != "Paris."


def test_a_question_about_the_documents_they_do_not_answer_is_not_invented() -> None:
    responder = ScriptedResponder("Pets are allowed.")
    pipeline = VoicePipeline(
        ScriptedTranscriber(), responder, ScriptedSynthesizer(), documents=ScriptedDocuments({})
    )

    result = pipeline.text_turn("What does my lease say about pets?", None)

    assert result.reply == NOT_FOUND_REPLY
    assert result.sources == ()
    assert responder.calls == []
    assert not asks_about_documents("What's the file size limit of an email?")
    assert asks_about_documents("According to the manual, how often should I descale?")


def test_a_small_model_reads_the_passage_out_naming_the_document() -> None:
    lease = Source(
        "/home/me/my_lease.docx",
        None,
        "The rent is due on the third working day. The tenant may keep one cat or one small dog in the "
        "apartment. Any other animal needs the written consent of the landlord.",
    )
    question = "Can I keep a dog in the apartment?"
    responder = ScriptedResponder("Pets are not allowed.")
    pipeline = VoicePipeline(
        ScriptedTranscriber(),
        responder,
        ScriptedSynthesizer(),
        documents=ScriptedDocuments({question: [lease]}),
        settings=PipelineSettings(quote_documents=True),
    )

    result = pipeline.text_turn(question, None)

    assert result.reply.startswith("From my lease: The tenant may keep one cat or one small dog")
    assert "rent" not in result.reply
    assert result.sources == (lease,)
    assert responder.calls == []
    assert quoted_answer("How often?", MANUAL) == "From manual, page 3: " + MANUAL.text
