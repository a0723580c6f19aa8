"""Engine errors: each has a stable code and a message meant for a person."""

from __future__ import annotations

from models.errors import ArisError


class EngineError(ArisError):
    """Base of every error the engine raises on purpose."""

    code = "engine_error"


class AudioDeviceError(EngineError):
    """No usable microphone or speaker, or the device could not be opened."""

    code = "audio_device"


class NoAudioDeviceError(AudioDeviceError):
    """No device of the wanted direction at all: usually no sound server (PulseAudio/PipeWire) is running."""

    code = "audio_no_device"


class AudioFileError(EngineError):
    """An audio file is missing, unreadable, or not a WAV file."""

    code = "audio_file"


class TranscriptionError(EngineError):
    """Speech recognition failed."""

    code = "stt_failed"


class GenerationError(EngineError):
    """The language model failed to answer."""

    code = "llm_failed"


class SynthesisError(EngineError):
    """Speech synthesis failed."""

    code = "tts_failed"


class TurnCancelledError(EngineError):
    """The turn was stopped by the user (push-to-talk again, stop, or barge-in)."""

    code = "cancelled"
