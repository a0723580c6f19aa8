"""`bench voice`'s stop figures: the Stop button pressed while a reply is being spoken, with the real models.

The target (playback and generation stop within 150 ms of the press) is a speed figure, so it is measured here
rather than asserted in a unit test, where a busy machine would make it fail for the wrong reason."""

from __future__ import annotations

import statistics
import threading
import time

from app.engine_factory import EngineFactory
from engine.audio import WavSink
from engine.cancel import CancelToken
from engine.conversation import Conversation
from engine.events import EventType, TurnEvent
from engine.pipeline import VoicePipeline

STOP_TARGET_MS = 150.0
"""From the press to the turn returned with the speaker silent."""
LONG_QUESTION = "Describe the city of Rome, its history, its food and its famous buildings."
"""A question whose spoken answer lasts far longer than the second after which Stop is pressed."""
PRESS_AFTER_SECONDS = 1.0


def _one_stop(pipeline: VoicePipeline, presses: list[CancelToken]) -> float | None:
    """Milliseconds from the press to the turn returned; None if the reply ended before the press."""
    cancel = CancelToken()
    presses.append(cancel)
    pipeline.conversation.clear()
    result = pipeline.text_turn(LONG_QUESTION, WavSink(realtime=True), cancel)
    returned_at = time.monotonic()
    if not result.cancelled or cancel.cancelled_at is None:
        return None
    return (returned_at - cancel.cancelled_at) * 1000


def stop_figures(factory: EngineFactory, trials: int) -> dict[str, float | int | None]:
    """Median and worst stop time over ``trials`` presses, and how many met the target."""
    presses: list[CancelToken] = []

    def press_soon(event: TurnEvent) -> None:
        if event.type is EventType.AUDIO_STARTED and not presses[-1].cancelled:
            threading.Timer(PRESS_AFTER_SECONDS, presses[-1].cancel, kwargs={"reason": "stop button"}).start()

    pipeline = VoicePipeline(
        factory.transcriber(),
        factory.responder(),
        factory.synthesizer(),
        conversation=Conversation(),
        on_event=press_soon,
    )
    stops = [ms for ms in (_one_stop(pipeline, presses) for _ in range(trials)) if ms is not None]
    return {
        "trials": trials,
        "stopped": len(stops),
        "stop_ms_median": round(statistics.median(stops), 1) if stops else None,
        "stop_ms_max": round(max(stops), 1) if stops else None,
        "within_target": sum(ms <= STOP_TARGET_MS for ms in stops),
        "target_ms": STOP_TARGET_MS,
    }
