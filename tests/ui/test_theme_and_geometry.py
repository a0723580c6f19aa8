"""The theme switch in Settings restyles the app at once; the window's size and place survive a restart."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.config import Settings, Theme, load_settings
from tests.ui.modal import click, when_modal


def test_choosing_dark_in_settings_restyles_the_app(qtbot, paths) -> None:
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    window = controller.window
    qtbot.addWidget(window)
    window.show()
    app = QApplication.instance()
    light_bg = window.conversation.grab().toImage().pixelColor(5, 5).lightness()

    def choose_dark(dialog: QWidget) -> None:
        combo = dialog.theme_combo
        combo.setFocus()
        for _ in range(3):
            if combo.currentData() == Theme.DARK.value:
                break
            QTest.keyClick(combo, Qt.Key.Key_Down)
        click(dialog.save_button)

    when_modal(choose_dark)
    click(window.settings_button)
    assert load_settings(paths.settings_file).theme is Theme.DARK
    assert app.property("aris_dark") is True and "#0F172A" in app.styleSheet()
    QApplication.processEvents()
    dark_bg = window.conversation.grab().toImage().pixelColor(5, 5).lightness()
    assert dark_bg < 60 < light_bg, (light_bg, dark_bg)

    def choose_light(dialog: QWidget) -> None:
        combo = dialog.theme_combo
        combo.setFocus()
        for _ in range(3):
            if combo.currentData() == Theme.LIGHT.value:
                break
            QTest.keyClick(combo, Qt.Key.Key_Up)
        click(dialog.save_button)

    when_modal(choose_light)
    click(window.settings_button)
    assert app.property("aris_dark") is False and "#0F172A" not in app.styleSheet()
    controller.bridge.shutdown()


def test_window_geometry_survives_a_restart(qtbot, paths) -> None:
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    window = controller.window
    qtbot.addWidget(window)
    window.show()
    window.resize(740, 520)  # within the offscreen screen (800x600): restoreGeometry keeps windows on screen
    window.move(QPoint(40, 30))
    qtbot.waitUntil(lambda: window.width() == 740, timeout=5000)
    position = window.pos()
    window.close()  # without a tray, closing quits: the geometry is saved on the way out

    again = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(again.window)
    again.window.show()
    assert (again.window.width(), again.window.height()) == (740, 520)
    assert again.window.pos() == position
    again.bridge.shutdown()


def test_an_idle_microphone_meter_reads_as_silent_in_both_themes(qtbot) -> None:
    """Unlit bars sit close to the background: a fixed light grey read as a full meter on the dark theme."""
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    app = QApplication.instance()
    try:
        for theme in (Theme.DARK, Theme.LIGHT):
            apply_theme(app, theme)
            window = MainWindow()
            qtbot.addWidget(window)
            window.show()
            meter = window.level_meter
            meter.set_rms(0.0)
            image = window.grab().toImage()
            corner = meter.mapTo(window, meter.rect().bottomRight())
            bar = image.pixelColor(corner.x() - 2, corner.y() - 2).lightness()  # the tallest, unlit bar
            background = image.pixelColor(corner.x() + 4, corner.y() - 2).lightness()
            assert abs(bar - background) < 60, (theme, bar, background)
    finally:
        apply_theme(app, Settings().theme)  # as the other tests expect it
