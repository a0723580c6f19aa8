"""Sync in the desktop shell, against the real sync server (uvicorn on loopback): set up from the settings
form, the tray's status line after a round, a server that is down, and the confirmation before applying many
deletions made on another computer."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from app.paths import DataPaths
from app.sync.account import account_file
from app.sync.runner import PendingDeletions, RunnerSettings, SyncStatus
from tests.live_server import LiveServer, running_server
from tests.sync.devices import FAST_RETRY, PASSPHRASE, PASSWORD, TEST_KDF, Device
from tests.ui.modal import click, click_tab

# Rounds far apart, so a test sees exactly the rounds it triggers (at start-up and by "Sync now").
QUIET = RunnerSettings(interval_seconds=300, max_backoff_seconds=300, local_check_seconds=0)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server for the module (SQLite); tests keep apart by using accounts of their own."""
    with running_server("sqlite", tmp_path_factory.mktemp("sync-server")) as live:
        yield live


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Headless test machines have no OS keyring: use the explicit, documented opt-in file store."""
    monkeypatch.setenv("ARIS_SYNC_INSECURE_FILE_SECRETS", "1")


def _username() -> str:
    return "user-" + uuid.uuid4().hex[:10]


def _dead_url() -> str:
    """A loopback address where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def session(qtbot, paths, monkeypatch):  # type: ignore[no-untyped-def]
    """A desktop session with a tray (models not loaded: sync does not need them); quit at the end."""
    from PySide6.QtWidgets import QApplication

    from ui.app import build_session

    made = []

    def make():  # type: ignore[no-untyped-def]
        controller = build_session(paths, use_tray=True, use_hotkey=False)
        qtbot.addWidget(controller.window)
        controller.sync.settings = QUIET
        controller.sync.retry = FAST_RETRY
        made.append(controller)
        return controller

    yield make
    monkeypatch.setattr(QApplication, "quit", lambda: None)  # the test's event loop keeps running
    for controller in made:
        controller.quit()  # stops background sync after the engine
        assert not controller.sync.running


def _sync_texts(controller) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.text() for a in controller.tray.menu.actions() if a.text()]


def test_setting_up_from_the_settings_form_signs_in_and_shows_the_account(
    qtbot, paths: DataPaths, server: LiveServer
) -> None:
    from ui.settings_dialog import SettingsDialog
    from ui.sync_bridge import SyncBridge

    username = _username()
    Device("other", DataPaths(paths.root.parent / "other")).setup(server.url, username, register=True)
    bridge = SyncBridge(paths, settings=QUIET, retry=FAST_RETRY)
    dialog = SettingsDialog(Settings(), paths, devices=[], sync=bridge)
    qtbot.addWidget(dialog)
    dialog.show()
    click_tab(dialog.tabs, "Account")
    section = dialog.sync_section
    qtbot.waitUntil(lambda: section.stack.currentWidget() is section.setup_page)

    section.server_edit.setText(server.url)
    section.username_edit.setText(username)
    section.password_edit.setText("not the password")
    section.passphrase_edit.setText(PASSPHRASE)
    click(section.setup_button)
    qtbot.waitUntil(lambda: "Wrong username or password" in section.setup_status.text(), timeout=10_000)
    assert section.setup_page.isEnabled() and section.stack.currentWidget() is section.setup_page

    section.password_edit.setText(PASSWORD)
    # A plain list, not waitSignal: the signal is queued from the setup job's thread, and under load it could
    # reach a waitSignal blocker pytest-qt had already let go of.
    running: list[bool] = []
    bridge.running_changed.connect(running.append)
    click(section.setup_button)
    qtbot.waitUntil(lambda: bool(running), timeout=60_000)
    assert running[0] is True
    qtbot.waitUntil(lambda: section.stack.currentWidget() is section.status_page, timeout=30_000)
    assert section.account_label.text() == username
    assert section.server_label.text() == server.url
    assert section.password_edit.text() == "" and section.passphrase_edit.text() == ""
    # The background round started by setup lands and the section follows it.
    qtbot.waitUntil(lambda: section.last_sync_label.text().startswith("just now"), timeout=10_000)
    assert section.pending_label.text() == "none" and section.error_label.text() == "none"

    # Sync now runs a round at once.
    with qtbot.waitSignal(bridge.state_changed, timeout=10_000):
        click(section.sync_now_button)
    qtbot.waitUntil(lambda: section.last_sync_label.text().startswith("just now"), timeout=10_000)
    assert section.error_label.text() == "none"

    # Sign out asks first, revokes this computer's token and returns to the form.
    section._confirm = lambda _title, _question: True
    click(section.sign_out_button)
    qtbot.waitUntil(lambda: section.stack.currentWidget() is section.setup_page, timeout=10_000)
    assert "token is revoked" in section.setup_status.text()
    assert not bridge.running and not account_file(paths).exists()


def test_setup_against_a_server_that_is_down_says_so(qtbot, paths: DataPaths) -> None:
    from ui.sync_section import SyncSection

    section = SyncSection(paths, retry=FAST_RETRY, kdf=TEST_KDF)
    qtbot.addWidget(section)
    qtbot.waitUntil(lambda: section.stack.currentWidget() is section.setup_page)
    section.server_edit.setText(_dead_url())
    section.username_edit.setText(_username())
    section.password_edit.setText(PASSWORD)
    section.passphrase_edit.setText(PASSPHRASE)
    section.register_radio.setChecked(True)
    section.setup_button.click()
    qtbot.waitUntil(lambda: "Cannot reach the sync server" in section.setup_status.text(), timeout=10_000)
    assert "server is running" in section.setup_status.text()
    assert section.stack.currentWidget() is section.setup_page and not account_file(paths).exists()


def test_tray_shows_sync_state_and_sync_now_sends_a_local_edit(
    qtbot, paths: DataPaths, server: LiveServer, session
) -> None:
    device = Device("laptop", paths)
    device.setup(server.url, _username(), register=True)
    controller = session()
    assert "Sync now" not in _sync_texts(controller)  # nothing about sync until it runs

    controller.start_sync()
    tray = controller.tray
    qtbot.waitUntil(lambda: tray.sync_status_action.text() == "Synced just now", timeout=10_000)
    assert not tray.sync_status_action.isEnabled()
    assert "Synced just now" in tray.icon.toolTip()
    assert _sync_texts(controller)[-3:] == ["Synced just now", "Sync now", "Quit Aris"]

    device.rows.insert("The user's bike is blue.", "fact")
    with qtbot.waitSignal(
        controller.sync.state_changed,
        check_params_cb=lambda s: s.status is SyncStatus.IDLE and s.last_report.pushed == 1,
        timeout=10_000,
    ):
        tray.sync_now_action.trigger()
    assert tray.sync_status_action.text() == "Synced just now"


def test_a_server_that_is_down_shows_an_error_state_not_a_crash(
    qtbot, paths: DataPaths, server: LiveServer, session
) -> None:
    Device("laptop", paths).setup(server.url, _username(), register=True)
    account = json.loads(account_file(paths).read_text())
    account_file(paths).write_text(json.dumps({**account, "server_url": _dead_url()}))
    controller = session()
    controller.start_sync()
    tray = controller.tray
    qtbot.waitUntil(
        lambda: tray.sync_status_action.text() == "Sync error: server unreachable", timeout=10_000
    )
    assert "server unreachable" in tray.icon.toolTip()

    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(controller.settings, paths, devices=[], sync=controller.sync)
    qtbot.addWidget(dialog)
    section = dialog.sync_section
    qtbot.waitUntil(lambda: section.stack.currentWidget() is section.status_page, timeout=5_000)
    assert "Cannot reach the sync server" in section.error_label.text()
    assert section.last_sync_label.text() == "never"


def test_missing_secrets_become_a_notice(qtbot, paths: DataPaths, server: LiveServer, session) -> None:
    Device("laptop", paths).setup(server.url, _username(), register=True)
    (paths.root / "sync-secrets.json").unlink()
    controller = session()
    with qtbot.waitSignal(controller.sync.start_failed, timeout=10_000):
        controller.start_sync()
    assert "sync token and key are missing" in controller.window.notice.text
    assert not controller.sync.running and "Sync now" not in _sync_texts(controller)


def test_many_deletions_from_another_computer_wait_for_a_yes(
    qtbot, paths: DataPaths, server: LiveServer, session, tmp_path: Path
) -> None:
    username = _username()
    other = Device("desktop", DataPaths(tmp_path / "desktop"))
    other.setup(server.url, username, register=True)
    ids = other.rows.insert_many((f"Fact {i}.", None) for i in range(40))
    other.sync()
    here = Device("laptop", paths)
    here.setup(server.url, username)
    here.sync()
    for memory_id in ids[:30]:
        other.rows.tombstone(memory_id)
    other.sync()

    controller = session()
    asked: list[PendingDeletions] = []
    answers = iter([False, True])
    controller.sync_prompts.confirm_deletions = lambda pending: asked.append(pending) or next(answers)
    controller.start_sync()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10_000)
    assert asked[0] == PendingDeletions(deletions=30, live=40)  # counted before any was applied
    assert controller.tray.sync_status_action.text() == "Sync paused: deletions need your OK"
    assert len(here.live_texts()) == 40  # "no" deletes nothing

    controller.tray.sync_now_action.trigger()  # asks again
    qtbot.waitUntil(lambda: len(here.live_texts()) == 10, timeout=10_000)
    assert len(asked) == 2
    qtbot.waitUntil(lambda: controller.tray.sync_status_action.text() == "Synced just now", timeout=10_000)


def test_memory_edits_and_finished_turns_nudge_a_round(qtbot, paths: DataPaths, session) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.ui.fakes import FakeMemoryStore
    from tests.ui.modal import replace_text_and_ok, type_file_name, when_modal

    controller = session()
    nudges: list[str] = []
    controller.sync.sync_soon = lambda: nudges.append("nudge")  # type: ignore[method-assign]
    controller.memory = store = FakeMemoryStore(["The user's cat is called Tom."])
    controller.open_memory()
    browser = controller.memory_browser
    qtbot.waitUntil(lambda: browser.list.count() == 1)
    browser.select(next(iter(store.items)))
    when_modal(replace_text_and_ok("The user's cat is called Tim."))
    QTest.mouseClick(browser.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: nudges == ["nudge"])
    when_modal(type_file_name(str(paths.root / "export.json")))
    QTest.mouseClick(browser.export_button, Qt.MouseButton.LeftButton)  # reading changes nothing: no nudge
    qtbot.waitUntil(lambda: "Exported" in browser.status.text())
    assert nudges == ["nudge"]

    controller.sync_prompts.nudge_timer.setInterval(0)
    controller.bridge.turn_finished.emit("turn-1", "Hello.")
    qtbot.waitUntil(lambda: len(nudges) == 2)


def test_the_deletions_question_names_the_counts_and_no_keeps_everything(qtbot, paths: DataPaths) -> None:
    from PySide6.QtWidgets import QMessageBox, QWidget

    from app.sync.runner import SyncState
    from tests.ui.modal import click_box_button, when_modal
    from ui.sync_bridge import SyncBridge
    from ui.sync_prompts import SyncPrompts

    window = QWidget()
    qtbot.addWidget(window)
    sync = SyncBridge(paths, window)
    SyncPrompts(sync, window, lambda: None, window)
    texts: list[str] = []

    def read_then_no(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        texts.append(box.text())
        click_box_button(QMessageBox.StandardButton.No)(box)

    when_modal(read_then_no)
    sync.state_changed.emit(SyncState(SyncStatus.ERROR, pending_deletions=PendingDeletions(30, 40)))
    assert texts and "deleted 30 of the 40 memories" in texts[0]
    assert sync.deletions_declined  # "no": sync stays paused until Sync now asks again
