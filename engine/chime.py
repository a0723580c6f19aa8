"""The sound a timer makes: a short two-tone chime, made with numpy so it needs no sound file."""

from __future__ import annotations

import numpy as np

from engine.audio import AudioChunk


def chime(sample_rate: int, *, repeats: int = 3) -> AudioChunk:
    """``repeats`` rising two-note chimes (about 0.5 s each), soft-edged so they don't click."""
    notes = []
    for frequency in (880.0, 1318.5):
        t = np.arange(int(0.22 * sample_rate)) / sample_rate
        tone = 0.35 * np.sin(2 * np.pi * frequency * t) * np.exp(-4.0 * t)
        fade = min(len(t) // 10, int(0.01 * sample_rate))
        tone[:fade] *= np.linspace(0.0, 1.0, fade)
        notes.append(tone)
    gap = np.zeros(int(0.06 * sample_rate))
    one = np.concatenate([notes[0], gap, notes[1], gap])
    return AudioChunk(np.tile(one, repeats).astype(np.float32), sample_rate)


def listening_cue(sample_rate: int = 22_050) -> AudioChunk:
    """A soft rising blip (~150 ms) that says "I'm listening" after the wake word; short and quiet, so it
    is over before the question starts and the endpointer does not take it for speech."""
    parts = []
    for frequency in (660.0, 990.0):
        t = np.arange(int(0.06 * sample_rate)) / sample_rate
        tone = 0.12 * np.sin(2 * np.pi * frequency * t) * np.exp(-20.0 * t)
        fade = int(0.005 * sample_rate)
        tone[:fade] *= np.linspace(0.0, 1.0, fade)
        tone[-fade:] *= np.linspace(1.0, 0.0, fade)
        parts.append(tone)
    return AudioChunk(np.concatenate(parts).astype(np.float32), sample_rate)
