"""Unit conversion with pint: length, mass, volume, temperature, speed and cooking units."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pint

from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch
from app.skills.numbers import to_digits
from app.skills.speech import say_number

_SPOKEN_UNITS = {
    "kilos": "kilogram",
    "kilo": "kilogram",
    "lbs": "pound",
    "degrees celsius": "degC",
    "degree celsius": "degC",
    "celsius": "degC",
    "centigrade": "degC",
    "degrees fahrenheit": "degF",
    "degree fahrenheit": "degF",
    "fahrenheit": "degF",
    "kelvin": "kelvin",
    "miles per hour": "mile/hour",
    "mph": "mile/hour",
    "kilometers per hour": "km/hour",
    "kilometres per hour": "km/hour",
    "km/h": "km/hour",
    "kph": "km/hour",
    "meters per second": "m/s",
    "metres per second": "m/s",
    "fluid ounces": "fluid_ounce",
    "fluid ounce": "fluid_ounce",
    "fl oz": "fluid_ounce",
    "tablespoons": "tablespoon",
    "tbsp": "tablespoon",
    "teaspoons": "teaspoon",
    "tsp": "teaspoon",
    "metres": "meter",
    "metre": "meter",
    "litres": "liter",
    "litre": "liter",
    "millilitres": "milliliter",
    "centimetres": "centimeter",
    "kilometres": "kilometer",
    "millimetres": "millimeter",
    "stone": "stone",
    "stones": "stone",
}
_SINGULAR = {"feet": "foot", "inches": "inch", "degrees": "degree"}
_NAMES = {"degC": "degrees Celsius", "degF": "degrees Fahrenheit", "kelvin": "kelvin"}


@functools.cache
def _registry() -> pint.UnitRegistry[float]:
    """Pint's registry; pint loads in ~0.4 s, so only when a conversion is asked."""
    import pint

    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


def _unit(text: str) -> str:
    text = re.sub(r"^(a|an|one|the)\s+", "", text.strip().lower().strip("?.! "))
    return _SPOKEN_UNITS.get(text, text.replace(" ", "_"))


def _unit_name(spoken: str, value: float) -> str:
    key = _unit(spoken)
    if key in _NAMES:
        return _NAMES[key]
    name = re.sub(r"^(a|an|one|the)\s+", "", spoken.strip().lower())
    if value != 1:
        return name
    name = _SINGULAR.get(name, name)
    if re.search(r"(ch|sh)es$", name):
        return name[:-2]
    return name[:-1] if name.endswith("s") and not name.endswith(("ss", "celsius")) else name


def convert(match: IntentMatch, ctx: SkillContext) -> str | None:
    """The converted amount; None when these aren't units pint knows (then the model answers)."""
    target = str(match.slots.get("unit", ""))
    quantity = to_digits(str(match.slots.get("quantity", "")).lower()).strip()
    amount_match = re.match(r"^(-?\d+(?:\.\d+)?)?\s*(.+)$", re.sub(r"^(minus|negative)\s+", "-", quantity))
    if not amount_match or not target or len(target.split()) > 4:
        return None
    amount = float(amount_match.group(1)) if amount_match.group(1) else 1.0
    source_spoken = amount_match.group(2)
    import pint

    registry = _registry()
    try:
        source_unit = registry.Unit(_unit(source_spoken))
        target_unit = registry.Unit(_unit(target))
    except (pint.errors.UndefinedUnitError, ValueError, AttributeError, TypeError, AssertionError):
        return None
    try:
        result = registry.Quantity(amount, source_unit).to(target_unit)
    except pint.errors.DimensionalityError:
        fluid = _fluid_ounces(registry, amount, source_unit, target_unit)
        if fluid is not None:
            result = fluid
        else:
            return _mismatch(source_spoken, target)
    value = float(result.magnitude)
    source_said = f"{say_number(amount).removeprefix('about ')} {_unit_name(source_spoken, amount)}"
    return f"{source_said} is {say_number(value)} {_unit_name(target, value)}."


def _fluid_ounces(registry: pint.UnitRegistry[float], amount: float, source: Any, target: Any) -> Any:
    """In the kitchen an ounce of a liquid is a fluid ounce ("how many ounces in a cup")."""
    ounce, fluid = registry.Unit("ounce"), registry.Unit("fluid_ounce")
    if ounce not in (source, target):
        return None
    source = fluid if source == ounce else source
    target = fluid if target == ounce else target
    import pint

    try:
        return registry.Quantity(amount, source).to(target)
    except pint.errors.DimensionalityError:
        return None


def _mismatch(source_spoken: str, target: str) -> str:
    return (
        f"I can't convert {_unit_name(source_spoken, 2)} to {_unit_name(target, 2)}: "
        "they measure different things."
    )
