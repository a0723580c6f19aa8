"""Lists: the shopping list, the to-do list and any named one ("add sunscreen to my packing list"); add,
remove, check off, read out, and clear (which asks first)."""

from __future__ import annotations

import re

from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch
from app.skills.speech import join_items
from app.skills.store import NamedList

SHOPPING = "shopping"
TODO = "to-do"
_LIST_NAMES = {
    "": SHOPPING,
    "shopping": SHOPPING,
    "grocery": SHOPPING,
    "groceries": SHOPPING,
    "shop": SHOPPING,
    "to do": TODO,
    "to-do": TODO,
    "todo": TODO,
    "to-dos": TODO,
    "task": TODO,
    "tasks": TODO,
    "to-buy": SHOPPING,
    "to buy": SHOPPING,
    "things to buy": SHOPPING,
    "grocery shopping": SHOPPING,
    "food": SHOPPING,
    "things to do": TODO,
    "things to-do": TODO,
    "chores": TODO,
}


_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"


def list_name(spoken: object) -> str:
    """The stored name of a list as spoken ("my to do" → "to-do", "grocery" → "shopping")."""
    name = re.sub(r"^(?:of\s+)?(?:(?:my|the|our)(?:\s+|$))?", "", str(spoken or "").strip().lower())
    name = re.sub(r"(?:^|\s+)list$", "", name)  # "the list" alone is the default list
    name = re.sub(r"^list (?:of |for )?", "", name)  # "my list of errands", "my list to do"
    name = re.sub(
        r"\s+(?:for |on )?(?:today|tomorrow|tonight|this week|next week|the weekend|" + _DAYS + r")$",
        "",
        name,
    )
    if re.fullmatch(
        r"(?:things|stuff|items)(?: (?:i|we) (?:need|have|want))?(?: to)? (?:buy|get|purchase|shop for)", name
    ):
        return SHOPPING
    if re.fullmatch(r"(?:things|stuff)(?: (?:i|we) (?:need|have))? to do", name):
        return TODO
    return _LIST_NAMES.get(name, name)


def split_items(text: str) -> list[str]:
    """ "milk, eggs and bread" → three items."""
    text = re.sub(r"^(some|a few|more)\s+", "", text.strip(" .?!").lower())
    text = re.sub(r"\s+(?:out|off)$", "", text)  # "take bread out from the list"
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+&\s+", text)
    return [re.sub(r"^(some|a|an)\s+", "", part).strip() for part in parts if part.strip()]


def _name_of(match: IntentMatch) -> str | None:
    """The list name; None when the "name" is really a long phrase that only fits the template by accident."""
    spoken = str(match.slots.get("list_name", ""))
    if match.intent.startswith("HassShoppingList"):
        return SHOPPING
    name = list_name(spoken)
    if len(name.split()) > 3:
        return None
    return name


def _says(named: str) -> str:
    return f"your {named} list"


def add(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Add one or more items."""
    name = _name_of(match)
    raw = str(match.slots.get("items") or match.slots.get("item") or "")
    items = split_items(raw)
    if name is None or not items or len(raw.split()) > 12:
        return None
    _list, already = ctx.store.add_items(name, items)
    added = [i for i in items if i not in already]
    if not added:
        return f"{join_items(already).capitalize()} {'is' if len(already) == 1 else 'are'} already on {_says(name)}."
    note = f" {join_items(already).capitalize()} was already there." if already else ""
    return f"Added {join_items(added)} to {_says(name)}.{note}"


def _matching(named: NamedList, items: list[str], *, open_only: bool) -> tuple[list[str], list[str]]:
    ids, missing = [], []
    for wanted in items:
        found = [i for i in named.items if i.text.lower() == wanted and (not open_only or not i.done)]
        found = found or [
            i for i in named.items if wanted in i.text.lower() and (not open_only or not i.done)
        ]
        if found:
            ids.append(found[0].id)
        else:
            missing.append(wanted)
    return ids, missing


def _change(match: IntentMatch, ctx: SkillContext, *, check: bool) -> str | None:
    name = _name_of(match)
    items = split_items(str(match.slots.get("items") or match.slots.get("item") or ""))
    if name is None or not items:
        return None
    named = ctx.store.find_list(name)
    if named is None:
        return f"You don't have a {name} list."
    ids, missing = _matching(named, items, open_only=check)
    if not ids:
        return (
            f"{join_items(missing).capitalize()} {'is' if len(missing) == 1 else 'are'}n't on {_says(name)}."
        )
    ctx.store.update_items(named, ids, done=True if check else None)
    done_items = [i for i in items if i not in missing]
    verb = "Checked off" if check else "Removed"
    where = "on" if check else "from"
    note = f" {join_items(missing).capitalize()} wasn't on it." if missing else ""
    return f"{verb} {join_items(done_items)} {where} {_says(name)}.{note}"


def remove(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Delete items."""
    return _change(match, ctx, check=False)


def check_off(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Mark items done."""
    return _change(match, ctx, check=True)


def read(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Read out what is still to do."""
    name = _name_of(match)
    if name is None:
        return None
    named = ctx.store.find_list(name)
    open_items = [i.text for i in named.items if not i.done] if named else []
    if not open_items:
        return f"{_says(name).capitalize()} is empty."
    count = len(open_items)
    return f"{_says(name).capitalize()} has {count} item{'s' if count > 1 else ''}: {join_items(open_items)}."


def clear(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Clearing loses items, so ask first; the answer ("yes"/"no") is the next request."""
    name = _name_of(match)
    if name is None:
        return None
    named = ctx.store.find_list(name)
    if named is None or not named.items:
        return f"{_says(name).capitalize()} is already empty."

    def confirmed(yes: bool) -> str:
        if not yes:
            return f"Okay, I kept {_says(name)}."
        current = ctx.store.find_list(name)
        if current is not None:
            ctx.store.update_items(current, [i.id for i in current.items], done=None)
        return f"Cleared {_says(name)}."

    ctx.pending = confirmed
    count = len(named.items)
    return f"{_says(name).capitalize()} has {count} item{'s' if count > 1 else ''}. Clear it? Say yes or no."


def all_lists(match: IntentMatch, ctx: SkillContext) -> str | None:
    """The names of the lists."""
    lists = [named for named in ctx.store.lists() if named.items]
    if not lists:
        return "You have no lists yet. Say, for example, add milk to my shopping list."
    return (
        f"You have {len(lists)} list{'s' if len(lists) > 1 else ''}: {join_items([n.name for n in lists])}."
    )
