"""Resampling the voice's 22.05 kHz down to the 16 kHz the echo check listens at: what lies above the new
Nyquist frequency (8 kHz) must vanish, not fold back as a false tone below it; speech frequencies keep their
level."""

from __future__ import annotations

import numpy as np
import pytest

from engine.audio import CAPTURE_RATE, resample

VOICE_RATE = 22_050


def _tone(frequency: float, seconds: float = 1.0, rate: int = VOICE_RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def _level_db(samples: np.ndarray) -> float:
    """RMS in dB relative to the 0.5-amplitude test tone, edges left out (a filter rings there)."""
    middle = samples[len(samples) // 10 : -len(samples) // 10]
    return float(20 * np.log10(np.sqrt(np.mean(middle**2)) / (0.5 / np.sqrt(2)) + 1e-12))


@pytest.mark.parametrize("frequency", [9_000, 9_500, 10_500])
def test_a_tone_above_the_new_nyquist_is_filtered_out(frequency: float) -> None:
    # Linear interpolation keeps a 9.5 kHz tone at about -4 dB, folded down to 6.5 kHz.
    assert _level_db(resample(_tone(frequency), VOICE_RATE, CAPTURE_RATE)) < -60


@pytest.mark.parametrize("frequency", [200, 1_000, 3_400, 6_000])
def test_a_tone_below_it_keeps_its_level(frequency: float) -> None:
    assert abs(_level_db(resample(_tone(frequency), VOICE_RATE, CAPTURE_RATE))) < 0.2


def test_length_dtype_and_the_same_rate() -> None:
    tone = _tone(1_000)
    out = resample(tone, VOICE_RATE, CAPTURE_RATE)
    assert out.dtype == np.float32
    assert abs(len(out) - len(tone) * CAPTURE_RATE / VOICE_RATE) <= 1
    assert resample(tone, VOICE_RATE, VOICE_RATE) is tone
    assert len(resample(np.zeros(0, np.float32), VOICE_RATE, CAPTURE_RATE)) == 0
