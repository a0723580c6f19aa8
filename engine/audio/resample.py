"""Sample-rate conversion between the voice, the devices and the 16 kHz the engine listens at."""

from __future__ import annotations

import numpy as np
import soxr


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited resampling (libsoxr): sound above the lower rate's Nyquist frequency is filtered out
    instead of folding back as false tones, which the echo check would take for sound that was never played."""
    if from_rate == to_rate or len(samples) == 0:
        return samples
    resampled: np.ndarray = soxr.resample(samples.astype(np.float32, copy=False), from_rate, to_rate)
    return resampled.astype(np.float32, copy=False)
