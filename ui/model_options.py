"""Settings → Models: the spoken language (auto or fixed) and an external model server (OpenAI-compatible URL,
model name, timeout). Saved with the dialog; the controller reloads the models in the worker, no restart."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from app.config import ModelSettings

LANGUAGES = (
    ("auto", "Automatic (detect)"),
    ("en", "English"),
    ("ru", "Русский (Russian)"),
    ("de", "Deutsch (German)"),
    ("fr", "Français (French)"),
    ("es", "Español (Spanish)"),
    ("uk", "Українська (Ukrainian)"),
    ("it", "Italiano (Italian)"),
    ("pl", "Polski (Polish)"),
    ("pt", "Português (Portuguese)"),
    ("nl", "Nederlands (Dutch)"),
)
"""What the combo offers; a code set by hand in the settings file is kept and shown as it is."""

URL_PLACEHOLDER = "e.g. http://127.0.0.1:11434/v1 (empty: the local model answers)"


class ModelOptions(QGroupBox):
    """The language combo and the model-server fields of the Models tab."""

    def __init__(self, models: ModelSettings, parent: QWidget | None = None) -> None:
        super().__init__("Language and model server", parent)
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName("Spoken language")
        for code, label in LANGUAGES:
            self.language_combo.addItem(label, code)
        index = self.language_combo.findData(models.language)
        if index < 0:
            self.language_combo.addItem(models.language, models.language)
            index = self.language_combo.count() - 1
        self.language_combo.setCurrentIndex(index)

        self.url_edit = QLineEdit(models.llm_url or "")
        self.url_edit.setPlaceholderText(URL_PLACEHOLDER)
        self.url_edit.setAccessibleName("Model server address")
        self.name_edit = QLineEdit(models.llm_model_name)
        self.name_edit.setAccessibleName("Model name on the server")
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setAccessibleName("Model server timeout")
        self.timeout_spin.setRange(1.0, 600.0)
        self.timeout_spin.setDecimals(0)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setValue(models.llm_timeout_s)

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Language", self.language_combo)
        form.addRow("Model server", self.url_edit)
        form.addRow("Server model name", self.name_edit)
        form.addRow("Server timeout", self.timeout_spin)
        hint = QLabel(
            "The language sets what Whisper listens for, the voice and the reply language. A model server "
            "(Ollama, LM Studio, llama.cpp's server, vLLM) answers instead of the local model."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form.addRow(hint)

    def values(self) -> dict[str, Any]:
        """The fields as ModelSettings updates.

        Raises:
            ValueError: the server address is not an http(s) URL (one sentence for the dialog to show).
        """
        url = self.url_edit.text().strip()
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValueError(
                f"The model server address '{url}' must start with http:// or https://, "
                "e.g. http://127.0.0.1:11434/v1."
            )
        return {
            "language": self.language_combo.currentData(),
            "llm_url": url.rstrip("/") or None,
            "llm_model_name": self.name_edit.text().strip() or "default",
            "llm_timeout_s": float(self.timeout_spin.value()),
        }
