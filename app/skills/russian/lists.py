"""Lists in Russian: "добавь молоко и хлеб в список покупок", "удали молоко из списка", "прочитай список дел",
"есть ли молоко в списке покупок". The same stored lists as in English ("shopping", "to-do"), so a list made in
one language is read out in the other."""

from __future__ import annotations

import re

from app.skills.base import SkillContext
from app.skills.lists import SHOPPING, TODO
from app.skills.matcher import IntentMatch
from app.skills.russian.words import capital, plural, shared_prefix
from app.skills.store import ListItem, NamedList

_ITEM_FORMS = ("пункт", "пункта", "пунктов")


def list_name(spoken: object) -> str | None:
    """The stored name of a list as said ("список покупок", "покупки", "дел" → "shopping", "to-do"); None
    when the words are too many to be a name."""
    name = str(spoken or "").lower().replace("ё", "е").strip(" ?.!,")
    name = re.sub(r"^(?:в|из|на)?\s*(?:мо[йеёмг]\w*|наш\w*|сво\w*)?\s*(?:списк\w*|список)?\s*", "", name)
    if not name or re.search(r"покуп|продукт|магазин|купить", name):
        return SHOPPING
    if re.search(r"\bдел\w*|задач|todo|to-do", name):
        return TODO
    if len(name.split()) > 3:
        return None
    return re.sub(r"^(?:для|на)\s+", "", name)


def said_list(name: str, case: str = "nom") -> str:
    """ "список покупок" / "в списке покупок" / "в список «поездка»"."""
    base = {SHOPPING: "покупок", TODO: "дел"}.get(name, f"«{name}»")
    return {"nom": "список", "in": "в списке", "to": "в список", "from": "из списка"}[case] + f" {base}"


def split_items(text: str) -> list[str]:
    """ "молоко, хлеб и яйца" → three items, as said."""
    text = re.sub(r"^(?:еще|ещё|немного)\s+", "", text.strip(" .?!,").lower().replace("ё", "е"))
    parts = re.split(r",\s*(?:и\s+)?|\s+и\s+", text)
    return [part.strip() for part in parts if part.strip()]


def nominative(item: str) -> str:
    """An item as a list holds it: the accusative of "добавь колбасу" back to "колбаса" where it is plain
    to see; a task ("позвонить врачу") stays as said."""
    words = item.split()
    if len(words) > 2 or not words or any(re.search(r"(?:ть|ти|чь|ться)$", w) for w in words):
        return item
    out = []
    for said in words:
        word = re.sub(r"(?<=[а-я]{2})ую$", "ая", said)
        word = re.sub(r"(?<=[а-я]{2})юю$", "яя", word)
        if len(word) > 3:
            word = re.sub(r"(?<=[бвгдзклмнпрстфхцжшщч])у$", "а", word)
            word = re.sub(r"(?<=[бвгдзклмнпрстфхцжшщч])ю$", "я", word)
        out.append(word)
    return " ".join(out)


def _same_word(a: str, b: str) -> bool:
    """Case forms share all but their last two letters or so ("молока", "молоко", "молоков")."""
    shared = shared_prefix(a, b)
    return a == b or (abs(len(a) - len(b)) <= 2 and shared >= max(3, min(len(a), len(b)) - 2))


def same_item(a: str, b: str) -> bool:
    """Whether two items are the same thing said in different cases ("молока" and "молоко", "яйца" and "яйцо")."""
    words_a = re.findall(r"\w+", a.lower().replace("ё", "е"))
    words_b = re.findall(r"\w+", b.lower().replace("ё", "е"))
    return bool(words_a) and len(words_a) == len(words_b) and all(map(_same_word, words_a, words_b))


def _found(named: NamedList | None, wanted: str) -> list[ListItem]:
    if named is None:
        return []
    return [i for i in named.items if same_item(i.text, wanted)]


def add(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Add one or more items."""
    name = (
        SHOPPING if match.intent.startswith("HassShoppingList") else list_name(match.slots.get("list_name"))
    )
    raw = str(match.slots.get("items") or match.slots.get("item") or "")
    said = split_items(raw)
    if name is None or not said or len(raw.split()) > 12:
        return None
    named = ctx.store.find_list(name)
    already = [i for i in said if any(not x.done for x in _found(named, i))]
    added = [i for i in said if i not in already]
    if added:
        ctx.store.add_items(name, [nominative(i) for i in added])
    if not added:
        return f"{capital(', '.join(already))} уже {said_list(name, 'in')}."
    note = f" {capital(', '.join(already))} там уже был{'и' if len(already) > 1 else ''}." if already else ""
    return f"Добавил {_joined(added)} {said_list(name, 'to')}.{note}"


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " и " + items[-1]


def remove(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Delete items from a list (the list said, or the one that holds them)."""
    items = split_items(str(match.slots.get("items") or ""))
    if not items:
        return None
    spoken = match.slots.get("list_name")
    name = list_name(spoken) if spoken else _holding(items[0], ctx)
    if name is None:
        return f"{capital(items[0])} нет ни в одном списке."
    named = ctx.store.find_list(name)
    if named is None:
        return f"У вас нет списка {said_list(name).removeprefix('список ')}."
    ids, removed, missing = [], [], []
    for wanted in items:
        found = _found(named, wanted)
        if found:
            ids.append(found[0].id)
            removed.append(found[0].text)
        else:
            missing.append(wanted)
    if not ids:
        return f"{capital(_joined(missing))} нет {said_list(name, 'in')}."
    ctx.store.update_items(named, ids, done=None)
    note = f" {capital(_joined(missing))} там не было." if missing else ""
    return f"Удалил {_joined(removed)} {said_list(name, 'from')}.{note}"


def _holding(item: str, ctx: SkillContext) -> str | None:
    for named in ctx.store.lists():
        if _found(named, item):
            return named.name
    return None


def read(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Read out what is still to do or buy."""
    name = list_name(match.slots.get("list_name"))
    if name is None:
        return None
    named = ctx.store.find_list(name)
    open_items = [i.text for i in named.items if not i.done] if named else []
    if not open_items:
        return f"{capital(said_list(name))} пуст."
    count = len(open_items)
    return f"{capital(said_list(name, 'in'))} {count} {plural(count, _ITEM_FORMS)}: {', '.join(open_items)}."


def has(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "есть ли молоко в списке покупок": yes or no, and the item as it was written down."""
    name = list_name(match.slots.get("list_name"))
    wanted = split_items(str(match.slots.get("item") or ""))
    if name is None or len(wanted) != 1:
        return None
    named = ctx.store.find_list(name)
    found = [i for i in _found(named, wanted[0]) if not i.done]
    if not found:
        there = [i.text for i in named.items if not i.done] if named else []
        listed = f" Там: {', '.join(there)}." if there else ""
        return f"Нет, этого нет {said_list(name, 'in')}.{listed}"
    return f"Да, {found[0].text} есть {said_list(name, 'in')}."


def clear(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Clearing loses items, so ask first; the answer ("да"/"нет") is the next request."""
    name = list_name(match.slots.get("list_name"))
    if name is None:
        return None
    named = ctx.store.find_list(name)
    if named is None or not named.items:
        return f"{capital(said_list(name))} и так пуст."

    def confirmed(yes: bool) -> str:
        if not yes:
            return f"Хорошо, {said_list(name)} остаётся как есть."
        current = ctx.store.find_list(name)
        if current is not None:
            ctx.store.update_items(current, [i.id for i in current.items], done=None)
        return f"{capital(said_list(name))} очищен."

    ctx.pending = confirmed
    count = len(named.items)
    return f"{capital(said_list(name, 'in'))} {count} {plural(count, _ITEM_FORMS)}. Очистить? Скажите да или нет."
