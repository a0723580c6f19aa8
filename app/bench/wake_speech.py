"""Test speech for the wake word: the bundled piper voice made into several speakers (pace, expressiveness,
pitch), and the room around them (noise at a given SNR, reverb for distance), with sox.

espeak-ng's voices are not heard as the wake word at all (too robotic to stand in for a person saying it);
piper's are, so positives are piper's and espeak-ng only speaks negatives."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.audio import CAPTURE_RATE, resample


class SpeechToolError(RuntimeError):
    """sox or espeak-ng is missing or failed (the bench prints this as one line)."""


@dataclass(frozen=True)
class VoiceVariant:
    """One made-up speaker: the bundled voice at a pace and expressiveness, shifted in pitch."""

    length_scale: float = 1.0
    """Above 1 slower, below 1 faster."""
    noise_scale: float = 0.667
    """piper's phoneme noise: more varies the sound of each phone."""
    noise_w: float = 0.8
    """piper's duration noise: more varies the rhythm."""
    pitch_cents: int = 0
    """sox pitch shift; ±300 cents moves the voice towards another speaker's range."""

    @property
    def label(self) -> str:
        """A short name for reports."""
        return f"len{self.length_scale:g}-ns{self.noise_scale:g}-nw{self.noise_w:g}-p{self.pitch_cents:+d}"


class PiperSpeaker:
    """Says text in the bundled piper voice at 16 kHz, with a VoiceVariant's settings."""

    def __init__(self, model_path: str | Path) -> None:
        from piper import PiperVoice

        self._voice = PiperVoice.load(str(model_path))
        self.sample_rate: int = self._voice.config.sample_rate

    def say(self, text: str, variant: VoiceVariant | None = None) -> np.ndarray:
        """``text`` spoken, 16 kHz float32, pitch-shifted as the variant asks."""
        from piper import SynthesisConfig

        variant = variant or VoiceVariant()
        config = SynthesisConfig(
            length_scale=variant.length_scale,
            noise_scale=variant.noise_scale,
            noise_w_scale=variant.noise_w,
        )
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=config)]
        audio = resample(np.concatenate(chunks).astype(np.float32), self.sample_rate, CAPTURE_RATE)
        if variant.pitch_cents:
            audio = sox(audio, "pitch", str(variant.pitch_cents))
        return audio


def sox(audio: np.ndarray, *effects: str) -> np.ndarray:
    """``audio`` (16 kHz float32) through sox effects, same rate and length rules as sox's own."""
    exe = shutil.which("sox")
    if exe is None:
        raise SpeechToolError("sox is not installed; install it with: sudo apt-get install sox")
    raw = ["-t", "raw", "-r", str(CAPTURE_RATE), "-e", "floating-point", "-b", "32", "-c", "1"]
    done = subprocess.run(
        [exe, "-q", *raw, "-", *raw, "-", *effects],
        input=audio.astype("<f4").tobytes(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SpeechToolError(f"sox {' '.join(effects)} failed: {done.stderr.decode(errors='replace')}")
    return np.frombuffer(done.stdout, dtype="<f4").astype(np.float32)


def reverb(audio: np.ndarray, amount: int = 50) -> np.ndarray:
    """The speaker a few metres away in a furnished room (sox reverb, wet only after the dry onset)."""
    return sox(audio, "reverb", str(amount), "50", "70")


def espeak(text: str, voice: str = "en-us", words_per_minute: int = 160) -> np.ndarray:
    """``text`` in an espeak-ng voice, 16 kHz float32 (negatives only: see the module docstring)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SpeechToolError("espeak-ng is not installed; install it with: sudo apt-get install espeak-ng")
    done = subprocess.run(
        [exe, "-v", voice, "-s", str(words_per_minute), "--stdout", text], capture_output=True, check=False
    )
    if done.returncode != 0:
        raise SpeechToolError(f"espeak-ng failed: {done.stderr.decode(errors='replace')}")
    data = done.stdout
    # A WAV header (44 bytes, 22.05 kHz int16 mono) then the samples.
    samples = np.frombuffer(data[44 : 44 + (len(data) - 44) // 2 * 2], dtype="<i2").astype(np.float32) / 32768
    return resample(samples, 22_050, CAPTURE_RATE)


def rms(audio: np.ndarray) -> float:
    """Root-mean-square level."""
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) if len(audio) else 0.0


def with_noise(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``speech`` with ``noise`` (looped or cut to length) added at ``snr_db`` over the speech's voiced part."""
    if len(noise) < len(speech):
        noise = np.tile(noise, len(speech) // max(1, len(noise)) + 1)
    noise = noise[: len(speech)]
    voiced = speech[np.abs(speech) > 0.02 * max(1e-6, float(np.max(np.abs(speech))))]
    gain = rms(voiced) / max(rms(noise), 1e-9) / (10 ** (snr_db / 20))
    mixed = speech + gain * noise
    peak = float(np.max(np.abs(mixed))) if len(mixed) else 0.0
    return (mixed / peak * 0.9 if peak > 0.99 else mixed).astype(np.float32)


def coloured_noise(seconds: float, colour: str, seed: int) -> np.ndarray:
    """White, pink or brown noise (a fan, a cooker hood, traffic), unit RMS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * CAPTURE_RATE)
    white = rng.standard_normal(n)
    if colour == "white":
        noise = white
    else:
        spectrum = np.fft.rfft(white)
        freqs = np.fft.rfftfreq(n, 1 / CAPTURE_RATE)
        freqs[0] = freqs[1]
        power = 1.0 if colour == "pink" else 2.0
        noise = np.fft.irfft(spectrum / freqs ** (power / 2), n)
    return (noise / max(rms(noise), 1e-9)).astype(np.float32)


def music(seconds: float, seed: int) -> np.ndarray:
    """Something like music playing in the room: random chords of harmonic notes with a beat, unit RMS."""
    rng = np.random.default_rng(seed)
    t_note = 0.5
    notes = []
    for _ in range(int(seconds / t_note) + 1):
        t = np.arange(int(t_note * CAPTURE_RATE)) / CAPTURE_RATE
        root = 110.0 * 2 ** (rng.integers(0, 24) / 12)
        chord = sum(
            np.sin(2 * np.pi * root * ratio * h * t) / h for ratio in (1.0, 1.26, 1.5) for h in (1, 2, 3)
        )
        notes.append(chord * np.exp(-3.0 * t))
    out = np.concatenate(notes)[: int(seconds * CAPTURE_RATE)]
    return (out / max(rms(out), 1e-9)).astype(np.float32)
