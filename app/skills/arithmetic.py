"""A safe arithmetic parser for spoken sums ("17 times 3", "15 percent of 80", "square root of 2"): a small
recursive-descent parser over a fixed grammar, never ``eval``, so a transcript can't run code."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from app.skills.numbers import to_digits


class NoAnswerError(ValueError):
    """The text is a sum that can't be worked out (division by zero, a negative square root)."""


class NotArithmeticError(ValueError):
    """The text is not a sum this parser understands."""


_PHRASES = [
    (r"\bmultiplied by\b", "*"),
    (r"\btimes\b", "*"),
    (r"\bx\b", "*"),
    (r"\bdivided by\b", "/"),
    (r"\bover\b", "/"),
    (r"\bplus\b", "+"),
    (r"\band\b", "+"),
    (r"\bminus\b", "-"),
    (r"\bless\b", "-"),
    (r"\bto the power of\b", "^"),
    (r"\bsquared\b", "^ 2"),
    (r"\bcubed\b", "^ 3"),
    (r"\bpercent of\b", "% of"),
    (r"\bper ?cent\b", "%"),
    (r"\bsquare root of\b", "sqrt"),
    (r"\b(a )?half of\b", "0.5 *"),
    (r"\b(a )?quarter of\b", "0.25 *"),
    (r"\btwice\b", "2 *"),
    (r"\bthe\b", ""),
]
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|(sqrt|of)\b|([-+*/^%()×÷]))")


@dataclass(frozen=True)
class Sum:
    """A parsed sum and its value."""

    value: float


def evaluate(text: str) -> Sum:
    """The value of a spoken sum.

    Raises:
        NotArithmeticError: the text isn't a sum (so another skill or the model should answer).
        NoAnswerError: it is a sum that has no answer (dividing by zero).
    """
    expression = to_digits(text.lower())
    expression = re.sub(r"\b(what'?s|what is|calculate|compute|how much is|equals?|please)\b", "", expression)
    # The question's lead-in, however it was heard ("what a 17 times 3" is whisper's "what is 17 times 3").
    expression = re.sub(r"^\s*(?:(?:what|whats|is|a|the|tell|me|how|much|so)\s+)+", "", expression)
    for pattern, symbol in _PHRASES:
        expression = re.sub(pattern, symbol, expression)
    expression = expression.replace("×", "*").replace("÷", "/").strip(" ?.!=")
    tokens = _tokenize(expression)
    if not any(kind == "num" for kind, _ in tokens):
        raise NotArithmeticError(text)
    parser = _Parser(tokens)
    value = parser.expression()
    if parser.pos != len(tokens):
        raise NotArithmeticError(text)
    if math.isinf(value) or math.isnan(value):
        raise NoAnswerError("That number is too big for me.")
    return Sum(value)


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expression):
        if expression[pos:].strip() == "":
            break
        match = _TOKEN.match(expression, pos)
        if match is None:
            raise NotArithmeticError(expression)
        number, word, symbol = match.groups()
        tokens.append(("num", number) if number else ("word", word) if word else ("op", symbol))
        pos = match.end()
    return tokens


class _Parser:
    """expression := term (('+'|'-') term)*; term := power (('*'|'/') power)*; power := unary ('^' unary)*;
    unary := '-' unary | 'sqrt' unary | atom ['%' ['of' unary]]; atom := number | '(' expression ')'."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise NotArithmeticError("unexpected end")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self) -> float:
        value = self.term()
        while self._peek() in ("+", "-"):
            op = self._take()[1]
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> float:
        value = self.power()
        while self._peek() in ("*", "/"):
            op = self._take()[1]
            right = self.power()
            if op == "/":
                if right == 0:
                    raise NoAnswerError("You can't divide by zero.")
                value = value / right
            else:
                value = value * right
        return value

    def power(self) -> float:
        value = self.unary()
        if self._peek() == "^":
            self._take()
            exponent = self.power()
            if abs(exponent) > 1000 or (value == 0 and exponent < 0):
                raise NoAnswerError("That number is too big for me.")
            if value < 0 and exponent != int(exponent):
                raise NoAnswerError("That has no real answer.")
            try:
                value = float(value**exponent)
            except (OverflowError, ZeroDivisionError) as error:
                raise NoAnswerError("That number is too big for me.") from error
        return value

    def unary(self) -> float:
        if self._peek() == "-":
            self._take()
            return -self.unary()
        if self._peek() == "sqrt":
            self._take()
            value = self.unary()
            if value < 0:
                raise NoAnswerError("A negative number has no real square root.")
            return math.sqrt(value)
        value = self.atom()
        if self._peek() == "%":
            self._take()
            if self._peek() == "of":
                self._take()
                return value / 100 * self.unary()
            return value / 100
        return value

    def atom(self) -> float:
        kind, text = self._take()
        if kind == "num":
            return float(text)
        if text == "(":
            value = self.expression()
            if self._take()[1] != ")":
                raise NotArithmeticError("unbalanced")
            return value
        raise NotArithmeticError(text)
