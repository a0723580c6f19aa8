"""The sync account section of the settings dialog.

Not set up: what sync is, and a form that runs the same setup as `python main.py sync setup`. Set up: the
account, server, last sync, pending changes and last error, with "Sync now" and "Sign out". Every network or
database call runs in a worker thread; results come back as queued signals.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ArisError
from app.paths import DataPaths
from app.sync.client import RetryPolicy
from app.sync.crypto import KdfParams
from app.sync.runner import SyncState
from app.sync.secrets import INSECURE_FILE_ENV
from app.sync.service import SetupRequest, SyncOverview, logout, overview, setup, sync_now
from ui.jobs import run_job
from ui.sync_bridge import SyncBridge, ago, describe_state

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #B91C1C;"

INTRO = (
    "Sync keeps your memories and conversations in step across your computers, through a sync server you "
    "run yourself (<code>python main.py serve-sync</code>). Everything is encrypted on this computer with "
    "your sync passphrase, so the server cannot read it. Aris works fully without sync."
)

# What to add to the sync error's own sentence, by error code, so the user knows what to do next.
ADVICE = {
    "sync_unavailable": "Check the address, and that the server is running and reachable from here.",
    "sync_wrong_password": "Check the username and the account password (not the sync passphrase).",
    "sync_wrong_passphrase": "Use the sync passphrase you chose when the account was created.",
    "sync_secrets": "Or tick “Keep the secrets in a file instead” below to use that fallback here.",
    "sync_conflict": "To use an existing account, choose “Sign in to an existing account”.",
}


def _hint(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setHorizontalSpacing(14)
    form.setVerticalSpacing(8)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def _when(iso: str | None) -> str:
    if not iso:
        return "never"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{ago(moment)} ({moment.astimezone().strftime('%d %b %H:%M')})"


class SyncSection(QGroupBox):
    """Sync account: set up, status, sync now, sign out."""

    overview_loaded = Signal(object)
    """A fresh SyncOverview is shown."""

    def __init__(
        self,
        paths: DataPaths,
        sync: SyncBridge | None = None,
        parent: QWidget | None = None,
        *,
        confirm: Callable[[str, str], bool] | None = None,
        retry: RetryPolicy | None = None,
        kdf: KdfParams | None = None,
    ) -> None:
        """Args:
        sync: the shell's background sync, started after setup and stopped before sign-out; without it,
            "Sync now" runs one round itself.
        confirm: asks (title, question) before signing out; tests pass their own.
        retry, kdf: client retries and a new account's key cost (tests make both quick).
        """
        super().__init__("Sync account", parent)
        self.paths = paths
        self.sync = sync
        self.retry = retry
        self.kdf = kdf
        self._confirm = confirm or self._ask
        self.overview: SyncOverview | None = None
        self.stack = QStackedWidget(self)
        self.loading_page = _hint("Checking sync…")
        self.setup_page = self._setup_page()
        self.status_page = self._status_page()
        for page in (self.loading_page, self.setup_page, self.status_page):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        if sync is not None:
            sync.state_changed.connect(self._on_sync_state_changed)
        self.refresh()

    # ---- pages ------------------------------------------------------------------------------------------

    def _setup_page(self) -> QWidget:
        page = QWidget()
        intro = _hint(INTRO)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.sign_in_radio = QRadioButton("Sign in to an existing account")
        self.register_radio = QRadioButton("Create a new account on the server")
        choice = QButtonGroup(page)
        choice.addButton(self.sign_in_radio)
        choice.addButton(self.register_radio)
        self.sign_in_radio.setChecked(True)
        self.sign_in_radio.toggled.connect(self._update_setup_button)
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("https://sync.example.org")
        self.username_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.device_edit = QLineEdit(platform.node() or "This computer")
        self.file_secrets_box = QCheckBox("Keep the secrets in a file instead (less safe)")
        self.file_secrets_box.setToolTip(
            "A file in Aris's data folder that only you can read. Anyone who can read that file, or a backup "
            "of it, can read your synced data."
        )
        self.file_secrets_box.setVisible(False)  # offered once setup found no keyring
        self.setup_button = QPushButton()
        self.setup_button.setObjectName("primaryButton")
        self.setup_button.clicked.connect(self.run_setup)
        self.setup_status = _hint("")
        form = _form()
        form.addRow("", self.sign_in_radio)
        form.addRow("", self.register_radio)
        form.addRow("Server", self.server_edit)
        form.addRow("Username", self.username_edit)
        form.addRow("Password", self.password_edit)
        form.addRow("Sync passphrase", self.passphrase_edit)
        form.addRow("This computer", self.device_edit)
        form.addRow("", self.file_secrets_box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.setup_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(
            _hint(
                "The sync passphrase encrypts your data; the server never sees it. Use other words than the "
                "password, and keep them safe: your other computers need them."
            )
        )
        layout.addWidget(self.setup_status)
        layout.addLayout(buttons)
        self._update_setup_button()
        return page

    def _status_page(self) -> QWidget:
        page = QWidget()
        self.account_label = QLabel()
        self.server_label = QLabel()
        self.server_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secrets_label = QLabel()
        self.last_sync_label = QLabel()
        self.pending_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.live_label = _hint("")
        self.sync_now_button = QPushButton("Sync now")
        self.sync_now_button.clicked.connect(self.run_sync_now)
        self.sign_out_button = QPushButton("Sign out…")
        self.sign_out_button.clicked.connect(self.run_sign_out)
        self.action_status = _hint("")
        form = _form()
        form.addRow("Account", self.account_label)
        form.addRow("Server", self.server_label)
        form.addRow("Secrets kept in", self.secrets_label)
        form.addRow("Last sync", self.last_sync_label)
        form.addRow("Pending changes", self.pending_label)
        form.addRow("Last error", self.error_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.live_label, 1)
        buttons.addWidget(self.sync_now_button)
        buttons.addWidget(self.sign_out_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.action_status)
        layout.addStretch(1)
        return page

    def _update_setup_button(self) -> None:
        register = self.register_radio.isChecked()
        self.setup_button.setText("Create account and sync" if register else "Sign in and sync")

    # ---- what the user does -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the status from the data folder (off the GUI thread)."""
        paths = self.paths
        run_job(
            lambda: overview(paths),
            self._show_overview,
            self._on_overview_failed,
            owner=self,
            name="sync-overview",
        )

    def run_setup(self) -> None:
        """Sign in (or register) with the form's values, as `sync setup` does."""
        values = {
            "server": self.server_edit.text().strip(),
            "username": self.username_edit.text().strip(),
            "password": self.password_edit.text(),
            "sync passphrase": self.passphrase_edit.text(),
        }
        missing = [name for name, value in values.items() if not value]
        if missing:
            self._show_setup_status("Fill in the " + " and the ".join(missing) + ".", error=True)
            return
        request = SetupRequest(
            server_url=values["server"],
            username=values["username"],
            password=values["password"],
            passphrase=values["sync passphrase"],
            device_name=self.device_edit.text().strip() or platform.node() or "device",
            register=self.register_radio.isChecked(),
            insecure_file_secrets=self.file_secrets_box.isChecked(),
            kdf=self.kdf,
        )

        def job() -> object:
            account = setup(self.paths, request, retry=self.retry)
            if self.sync is not None:
                self.sync.start()  # here, not in the slot: it must happen even if the dialog closed meanwhile
            return account

        self.setup_page.setEnabled(False)
        self._show_setup_status("Creating the account…" if request.register else "Signing in…")
        run_job(job, self._on_setup_done, self._on_setup_failed, owner=self, name="sync-setup")

    def run_sync_now(self) -> None:
        """One round now: through background sync when it runs, else directly."""
        if self.sync is not None and self.sync.running:
            self.sync.sync_now()
            self.action_status.setText("Syncing…")
            return
        self.sync_now_button.setEnabled(False)
        self.action_status.setText("Syncing…")
        paths, retry = self.paths, self.retry
        run_job(
            lambda: sync_now(paths, retry=retry),
            self._on_sync_now_done,
            self._on_action_failed,
            owner=self,
            name="sync-now",
        )

    def run_sign_out(self) -> None:
        """Sign this computer out, after asking; local data stays."""
        if not self._confirm(
            "Sign out of sync?",
            "This computer stops syncing and forgets its sync token and key. Your memories and "
            "conversations stay here, and your other computers keep syncing.",
        ):
            return

        def job() -> object:
            if self.sync is not None:
                self.sync.stop()
            return logout(self.paths)

        self.status_page.setEnabled(False)
        self.action_status.setText("Signing out…")
        run_job(job, self._on_logout_done, self._on_action_failed, owner=self, name="sync-logout")

    # ---- results ----------------------------------------------------------------------------------------

    def _on_setup_done(self, _account: object) -> None:
        self.setup_page.setEnabled(True)
        self.password_edit.clear()
        self.passphrase_edit.clear()
        self.file_secrets_box.setVisible(False)
        self._show_setup_status("")
        self.action_status.setText("Signed in. Syncing in the background.")
        self.refresh()

    def _on_sync_now_done(self, _result: object) -> None:
        self.sync_now_button.setEnabled(True)
        self.action_status.setText("Synced.")
        self.refresh()

    def _on_logout_done(self, revoked: object) -> None:
        self.status_page.setEnabled(True)
        self.action_status.setText("")
        self._show_setup_status(
            "Signed out; this computer's token is revoked. Your data here is unchanged."
            if revoked
            else "Signed out here, but the server could not be reached to revoke the token: revoke it "
            "from another computer (`python main.py sync devices` / `sync revoke`). Your data here is "
            "unchanged."
        )
        self.refresh()

    def _on_setup_failed(self, error: ArisError) -> None:
        self.setup_page.setEnabled(True)
        advice = ADVICE.get(error.code, "")
        if error.code == "sync_secrets":
            self.file_secrets_box.setVisible(True)
            self._fit_setup_page()
            advice += f" (Setting {INSECURE_FILE_ENV}=1 before starting Aris does the same.)"
        self._show_setup_status(f"{error.message} {advice}".strip(), error=True)

    def _on_overview_failed(self, error: ArisError) -> None:
        self.stack.setCurrentWidget(self.setup_page)
        self._show_setup_status(error.message, error=True)

    def _on_action_failed(self, error: ArisError) -> None:
        self.status_page.setEnabled(True)
        self.sync_now_button.setEnabled(True)
        self.action_status.setText(error.message)
        self.action_status.setStyleSheet(ERROR_STYLE)
        self.refresh()

    def _show_setup_status(self, text: str, *, error: bool = False) -> None:
        self.setup_status.setText(text)
        self.setup_status.setStyleSheet(ERROR_STYLE if error else "")
        self._fit_setup_page()

    def _fit_setup_page(self) -> None:
        # QFormLayout under-reports its minimum height once the stylesheet pads the fields, and the dialog
        # then squeezes them; pin the page to its size hint so the dialog grows instead.
        self.setup_page.setMinimumHeight(self.setup_page.sizeHint().height())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Size the form once the stylesheet is applied."""
        super().showEvent(event)
        self._fit_setup_page()

    def _show_overview(self, facts: SyncOverview) -> None:
        self.overview = facts
        if not facts.configured:
            self.stack.setCurrentWidget(self.setup_page)
        else:
            self.account_label.setText(facts.username or "")
            self.server_label.setText(facts.server_url or "")
            self.secrets_label.setText(
                "a file only you can read (no OS keyring)"
                if facts.secrets_backend == "file"
                else "the OS keyring"
            )
            self.last_sync_label.setText(_when(facts.last_sync_at))
            pending = facts.pending or 0
            self.pending_label.setText(
                "none" if not pending else f"{pending} local change{'s' if pending != 1 else ''} waiting"
            )
            self.error_label.setText(facts.last_error_message or "none")
            self.error_label.setStyleSheet(ERROR_STYLE if facts.last_error_message else "")
            if self.sync is not None and self.sync.running:
                self.live_label.setText(describe_state(self.sync.state))
            self.stack.setCurrentWidget(self.status_page)
        self.overview_loaded.emit(facts)

    def _on_sync_state_changed(self, state: SyncState) -> None:
        self.live_label.setText(describe_state(state))
        if self.stack.currentWidget() is self.status_page:
            self.action_status.setText("")
            self.action_status.setStyleSheet("")
            self.refresh()

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,  # Enter must not sign out by accident
        )
        return answer == QMessageBox.StandardButton.Yes
