"""Sums and unit conversions in Russian: "сколько будет 15% от 68", "корень из 144", "среднее 4, 8 и 15",
"сколько фунтов в 10 килограммах". The words become the arithmetic parser's symbols and pint's units; the
answer comes back with a decimal comma and the unit in the right case ("22,05 фунта")."""

from __future__ import annotations

import re

from app.skills.arithmetic import NoAnswerError, NotArithmeticError, evaluate
from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch
from app.skills.russian.words import counted, plural, say_number, to_digits

_SYMBOLS = (
    (r"(\d)\s*%\s*(?:от|из)\b", r"\1 % of"),
    (r"(\d)\s*процент\w*\s*(?:от|из)\b", r"\1 % of"),
    (r"(\d)\s*процент\w*", r"\1 %"),
    (r"\b(?:квадратный )?кор(?:ень|ня) (?:квадратный )?(?:из|от)\b", "sqrt"),
    (r"\b(?:разделить|поделить|делить|деленное|деленный|раздели|подели) на\b|/|÷", "/"),
    (r"\b(?:умножить|умноженное|умноженный|помножить|умножь) на\b|\b[xх]\b|[×*]|\bна(?= \d)", "*"),
    (r"\bплюс\b|\bприбавить\b|\+", "+"),
    (r"\bминус\b|\bотнять\b|\bвычесть\b", "-"),
    (r"\bв квадрате\b", "^ 2"),
    (r"\bв кубе\b", "^ 3"),
    (r"\bв (\d+)(?:-?й)? степени\b", r"^ \1"),
    (r"\bв степени\b", "^"),
    (r"\bполовина от\b", "0.5 *"),
)
_LEAD = re.compile(
    r"^(?:а |ну )?(?:сколько (?:будет|получится|это)|сколько|посчитай|подсчитай|вычисли|реши|скажи|"
    r"чему (?:равно|равен|равна|равны)|какой результат)\s*"
)


def expression(text: str) -> str | None:
    """A Russian sum as the arithmetic parser's symbols ("15 процентов от 68" → "15 % of 68"), or None."""
    sums = _LEAD.sub("", to_digits(text).strip(" ?.!=")).strip()
    sums = re.sub(r"\s*(?:будет|равно|получится)$", "", sums)
    sums = re.sub(r"\s+\ba\b\s+|[?!]\s*", " ", sums).strip()  # a stray letter or stop Whisper put in
    listed = re.match(
        r"^(сумм\w*|сложи\w*|средн\w*(?: значение| арифметическое)?)(?: из| от| чисел)? (.+)$", sums
    )
    if listed:
        numbers = re.findall(r"-?\d+(?:\.\d+)?", listed.group(2))
        if len(numbers) < 2:
            return None
        total = " + ".join(numbers)
        return f"({total}) / {len(numbers)}" if listed.group(1).startswith("средн") else total
    sums = re.sub(r"^(?:раздели|подели|разделить|поделить) (\S+) на (\S+)$", r"\1 / \2", sums)
    sums = re.sub(r"^(?:умножь|умножить) (\S+) на (\S+)$", r"\1 * \2", sums)
    sums = re.sub(r"^(?:вычти|отними) (\S+) из (\S+)$", r"\2 - \1", sums)
    for words, symbol in _SYMBOLS:
        sums = re.sub(words, symbol, sums)
    # "15% от 68%": Whisper writes a percent sign after the whole when the speaker said one after the part
    sums = re.sub(r"(% of -?\d+(?:\.\d+)?)\s*%$", r"\1", sums)
    if re.search(r"[а-я]", sums) or not re.search(r"\d", sums) or not re.search(r"[-+*/^%]|sqrt", sums):
        return None
    return sums


_NO_ANSWER = {
    "You can't divide by zero.": "На ноль делить нельзя.",
    "A negative number has no real square root.": "У отрицательного числа нет действительного квадратного корня.",
}


def calculate(match: IntentMatch, ctx: SkillContext) -> str | None:
    """The result, or None when the words aren't a sum (then the model answers)."""
    sums = expression(str(match.slots.get("expression", "")))
    if sums is None:
        return None
    try:
        result = evaluate(sums)
    except NotArithmeticError:
        return None
    except NoAnswerError as error:
        return _NO_ANSWER.get(str(error), "У этого выражения нет ответа.")
    return f"Это {say_number(result.value)}."


UNITS = (
    (r"километр\w* в час|км/ч|км в час", "km/hour", ("километр в час", "километра в час", "километров в час")),
    (r"мил\w* в час", "mile/hour", ("миля в час", "мили в час", "миль в час")),
    (r"метр\w* в секунду|м/с", "m/s", ("метр в секунду", "метра в секунду", "метров в секунду")),
    (r"(?:градус\w* )?(?:по )?цельси\w*", "degC", ("градус Цельсия", "градуса Цельсия", "градусов Цельсия")),
    (r"(?:градус\w* )?(?:по )?фаренгейт\w*", "degF", ("градус Фаренгейта", "градуса Фаренгейта", "градусов Фаренгейта")),
    (r"кельвин\w*", "kelvin", ("кельвин", "кельвина", "кельвинов")),
    (r"миллиметр\w*|мм", "millimeter", ("миллиметр", "миллиметра", "миллиметров")),
    (r"сантиметр\w*|см", "centimeter", ("сантиметр", "сантиметра", "сантиметров")),
    (r"километр\w*|км", "kilometer", ("километр", "километра", "километров")),
    (r"метр\w*|м", "meter", ("метр", "метра", "метров")),
    (r"миллилитр\w*|мл", "milliliter", ("миллилитр", "миллилитра", "миллилитров")),
    (r"литр\w*|л", "liter", ("литр", "литра", "литров")),
    (r"мил[ьяиею]\w*", "mile", ("миля", "мили", "миль")),
    (r"дюйм\w*", "inch", ("дюйм", "дюйма", "дюймов")),
    (r"фут\w*", "foot", ("фут", "фута", "футов")),
    (r"ярд\w*", "yard", ("ярд", "ярда", "ярдов")),
    (r"миллиграмм\w*|мг", "milligram", ("миллиграмм", "миллиграмма", "миллиграммов")),
    (r"килограмм\w*|кило|кг", "kilogram", ("килограмм", "килограмма", "килограммов")),
    (r"грамм\w*|гр?", "gram", ("грамм", "грамма", "граммов")),
    (r"фунт\w*", "pound", ("фунт", "фунта", "фунтов")),
    (r"унци\w*", "ounce", ("унция", "унции", "унций")),
    (r"тонн\w*", "tonne", ("тонна", "тонны", "тонн")),
    (r"галлон\w*", "gallon", ("галлон", "галлона", "галлонов")),
    (r"пинт\w*", "pint", ("пинта", "пинты", "пинт")),
    (r"стакан\w*|чаш\w*", "cup", ("стакан", "стакана", "стаканов")),
    (r"столов\w* ложк\w*|ложк\w* столов\w*", "tablespoon", ("столовая ложка", "столовые ложки", "столовых ложек")),
    (r"чайн\w* ложк\w*|ложк\w* чайн\w*", "teaspoon", ("чайная ложка", "чайные ложки", "чайных ложек")),
    (r"гектар\w*", "hectare", ("гектар", "гектара", "гектаров")),
    (r"акр\w*", "acre", ("акр", "акра", "акров")),
    (r"секунд\w*", "second", ("секунда", "секунды", "секунд")),
    (r"минут\w*", "minute", ("минута", "минуты", "минут")),
    (r"час\w*", "hour", ("час", "часа", "часов")),
    (r"сут\w*|д(?:ень|ня|ней|нях|не)", "day", ("день", "дня", "дней")),
    (r"недел\w*", "week", ("неделя", "недели", "недель")),
)  # fmt: skip
"""Russian unit names by the stem their case forms share, pint's name, and the forms a count takes."""


def find_unit(said: str) -> tuple[str, tuple[str, str, str]] | None:
    """pint's unit and the Russian forms for a unit said in any case ("килограммах" → kilogram)."""
    said = re.sub(
        r"^(?:в|во|одном|одной|одну|один|одна)\s+", "", said.lower().replace("ё", "е").strip(" ?.!,")
    )
    for stem, unit, forms in UNITS:
        if re.fullmatch(stem, said):
            return unit, forms
    return None


def convert(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "10 килограммов — это примерно 22,05 фунта."; None when these aren't units Aris knows."""
    from app.skills.units import _registry

    quantity = to_digits(str(match.slots.get("quantity", ""))).strip(" ?.!,")
    amount_said = re.match(r"^(-?\d+(?:\.\d+)?)?\s*(.+)$", re.sub(r"^минус\s+", "-", quantity))
    source = find_unit(amount_said.group(2)) if amount_said else None
    target = find_unit(str(match.slots.get("unit", "")))
    if amount_said is None or source is None or target is None:
        return None
    amount = float(amount_said.group(1)) if amount_said.group(1) else 1.0
    import pint

    registry = _registry()
    try:
        value = float(
            registry.Quantity(amount, registry.Unit(source[0])).to(registry.Unit(target[0])).magnitude
        )
    except pint.errors.DimensionalityError:
        return f"Нельзя перевести {source[1][2]} в {target[1][2]}: они измеряют разное."
    return f"{counted(amount, source[1])} — это {say_number(value)} {_form(value, target[1])}."


def _form(value: float, forms: tuple[str, str, str]) -> str:
    """The unit's form after the number as it is said (rounded): "22,05 фунта", "1 000 граммов"."""
    shown = float(say_number(value).removeprefix("примерно ").replace("\u00a0", "").replace(",", "."))
    return plural(shown, forms)
