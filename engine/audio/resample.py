"""Sample-rate conversion between the voice, the devices and the 16 kHz the engine listens at."""

from __future__ import annotations

import numpy as np


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Linear resampling; good enough for speech playback on devices that refuse the voice's rate."""
    if from_rate == to_rate or len(samples) == 0:
        return samples
    count = round(len(samples) * to_rate / from_rate)
    positions = np.linspace(0, len(samples) - 1, count)
    resampled: np.ndarray = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return resampled
