"""Answers from the user's documents in the window: a typed question that a document answers shows the
document under the answer, and clicking it opens the file at the page the passage is on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest

from tests.conftest import run_cli
from tests.documents.conftest import write_tree
from ui.turn_presenter import TurnPresenter


def test_a_cited_document_opens_at_its_page_from_the_answer(
    make_session, paths, qtbot, monkeypatch, tmp_path: Path
) -> None:
    root = write_tree(tmp_path / "docs")
    added = run_cli("docs", "add", str(root), data_dir=paths.root)  # as a user adds a folder
    assert added.returncode == 0, added.stderr
    opened: list[QUrl] = []
    monkeypatch.setattr(TurnPresenter, "open_url", staticmethod(opened.append))
    session = make_session()
    window, bridge = session.window, session.bridge

    with qtbot.waitSignal(bridge.turn_finished, timeout=180_000):
        QTest.keyClicks(window.input, "How do I descale the coffee machine?")
        QTest.keyClick(window.input, Qt.Key.Key_Return)
    answer = [bubble for bubble in window.conversation.bubbles if bubble.role == "assistant"][-1]
    assert "descale" in answer.text.lower()
    qtbot.waitUntil(lambda: bool(answer.source_buttons), timeout=10_000)
    first = answer.source_buttons[0]
    assert first.text() == "coffee-manual.pdf, page 1"
    assert first.isVisible()
    QTest.mouseClick(first, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(root / "coffee-manual.pdf")]
    assert opened[0].fragment() == "page=1"

    # A question the documents do not answer cites nothing.
    with qtbot.waitSignal(bridge.turn_finished, timeout=180_000):
        QTest.keyClicks(window.input, "What is the capital of France?")
        QTest.keyClick(window.input, Qt.Key.Key_Return)
    unrelated = [bubble for bubble in window.conversation.bubbles if bubble.role == "assistant"][-1]
    assert unrelated is not answer and not unrelated.source_buttons
