"""Audio in and out behind small interfaces, so every pipeline test can run from WAV files without a sound
card. Capture is 16 kHz mono float32 (what Whisper and Silero want); playback runs at the voice's rate.

One module a job: the shared types and protocols, WAV files, device lookup, the microphone, the speaker and
resampling. The names the rest of Aris uses are importable from here."""

from engine.audio.devices import AudioDevice, find_device, list_devices, rescan_devices
from engine.audio.microphone import MicrophoneSource
from engine.audio.protocols import (
    CAPTURE_RATE,
    FRAME_SAMPLES,
    AudioChunk,
    AudioSink,
    AudioSource,
    trim_leading_silence,
)
from engine.audio.resample import resample
from engine.audio.speaker import SpeakerSink
from engine.audio.wav import WavSink, WavSource, read_wav, write_wav

__all__ = [
    "CAPTURE_RATE",
    "FRAME_SAMPLES",
    "AudioChunk",
    "AudioDevice",
    "AudioSink",
    "AudioSource",
    "MicrophoneSource",
    "SpeakerSink",
    "WavSink",
    "WavSource",
    "find_device",
    "list_devices",
    "read_wav",
    "resample",
    "rescan_devices",
    "trim_leading_silence",
    "write_wav",
]
