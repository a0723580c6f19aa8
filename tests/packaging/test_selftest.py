"""The self-test's own logic: a failing step fails the run, with its reason, and the rest still run."""

from __future__ import annotations

import io

from app import selftest


def _passing(ctx: selftest.SelfTestContext) -> str:
    return "fine"


def _failing(ctx: selftest.SelfTestContext) -> str:
    raise selftest.SelfTestError("heard nothing")


def _crashing(ctx: selftest.SelfTestContext) -> str:
    raise OSError("libfoo.so: cannot open shared object file")


def test_all_steps_passing_exits_0() -> None:
    out = io.StringIO()
    assert selftest.run_self_test(out, steps=(("one", _passing), ("two", _passing))) == 0
    lines = out.getvalue().splitlines()
    assert lines[1].split()[:2] == ["ok", "one"]
    assert " s " in lines[1]  # each step prints its time
    assert lines[-1].startswith("Self-test passed: 2 steps")


def test_a_failing_step_exits_1_and_every_step_still_runs() -> None:
    out = io.StringIO()
    steps = (("one", _failing), ("two", _crashing), ("three", _passing))
    assert selftest.run_self_test(out, steps=steps) == 1
    text = out.getvalue()
    assert "FAIL one" in text and "heard nothing" in text
    assert "FAIL two" in text and "OSError: libfoo.so" in text
    assert "ok   three" in text
    assert "Self-test FAILED: one, two" in text


def test_the_bundled_models_are_the_defaults_and_the_tokenizer() -> None:
    from models import default_models

    assert default_models() == [
        "whisper-tiny.en",
        "smollm2-135m-instruct",
        "piper-joe-medium",
        "minilm-l6-v2-int8",
        "minilm-l6-v2-tokenizer",
    ]
