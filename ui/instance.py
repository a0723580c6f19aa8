"""Single instance: the first Aris listens on a local socket named after its data folder; a second launch
or `python main.py talk` sends it one line (a command) and gets one line back."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from ui.talk_client import Command

log = logging.getLogger(__name__)

TIMEOUT_MS = 1500


class InstanceServer(QObject):
    """Listens for commands from other processes; lives in the GUI thread."""

    command_received = Signal(str)

    def __init__(self, name: str, reply: Callable[[Command], str], parent: QObject | None = None) -> None:
        """Args:
        name: the socket name (``DataPaths.socket_name``), one per data folder.
        reply: gives the answer line for a command (called in the GUI thread).
        """
        super().__init__(parent)
        self.name = name
        self._reply = reply
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)

    def listen(self) -> bool:
        """Claim the name; a socket left behind by a crashed instance is removed first."""
        if self._server.listen(self.name):
            return True
        if send_command(self.name, Command.STATUS) is not None:
            return False  # a live instance owns it
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        """Stop listening (on quit)."""
        self._server.close()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data()).decode("utf-8", "replace").strip()
        try:
            command = Command(line)
        except ValueError:
            socket.write(f"error unknown command '{line}'\n".encode())
            socket.flush()
            return
        log.info("Command from another process: %s", command)
        answer = self._reply(command)
        socket.write((answer + "\n").encode())
        socket.flush()
        self.command_received.emit(command.value)


def send_command(name: str, command: Command, timeout_ms: int = TIMEOUT_MS) -> str | None:
    """Send a command to the running instance; its answer, or None when no instance is running."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return None
    socket.write((command.value + "\n").encode())
    socket.flush()
    answer = None
    while socket.waitForReadyRead(timeout_ms):
        if socket.canReadLine():
            answer = bytes(socket.readLine().data()).decode("utf-8", "replace").strip()
            break
    socket.disconnectFromServer()
    return answer
