"""Where a place is in time: city, country or zone name → IANA zone, from the bundled table
(resources/skills/cities.tsv: the 5,000 largest cities, every IANA zone's city, single-zone countries)
plus the common zone abbreviations."""

from __future__ import annotations

import functools
import re
import zoneinfo

from models.locate import resource_path

ABBREVIATIONS = {
    "utc": "UTC",
    "gmt": "Etc/GMT",
    "cet": "CET",
    "cest": "CET",
    "eet": "EET",
    "wet": "WET",
    "bst": "Europe/London",
    "est": "America/New_York",
    "edt": "America/New_York",
    "eastern time": "America/New_York",
    "cst": "America/Chicago",
    "central time": "America/Chicago",
    "mst": "America/Denver",
    "mountain time": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pacific time": "America/Los_Angeles",
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney",
    "msk": "Europe/Moscow",
}
REGIONS = {
    "china": "Asia/Shanghai",
    "east coast": "America/New_York",
    "west coast": "America/Los_Angeles",
    "texas": "America/Chicago",
    "california": "America/Los_Angeles",
    "florida": "America/New_York",
    "new york state": "America/New_York",
    "illinois": "America/Chicago",
    "colorado": "America/Denver",
    "arizona": "America/Phoenix",
    "washington state": "America/Los_Angeles",
    "oregon": "America/Los_Angeles",
    "nevada": "America/Los_Angeles",
    "utah": "America/Denver",
    "georgia state": "America/New_York",
    "massachusetts": "America/New_York",
    "ohio": "America/New_York",
    "michigan": "America/Detroit",
    "missouri": "America/Chicago",
    "minnesota": "America/Chicago",
    "hawaii": "Pacific/Honolulu",
    "alaska": "America/Anchorage",
    "ontario": "America/Toronto",
    "quebec": "America/Toronto",
    "british columbia": "America/Vancouver",
    "alberta": "America/Edmonton",
    "new south wales": "Australia/Sydney",
    "queensland": "Australia/Brisbane",
    "south australia": "Australia/Adelaide",
    "western australia": "Australia/Perth",
    "scotland": "Europe/London",
    "wales": "Europe/London",
    "bavaria": "Europe/Berlin",
    "siberia": "Asia/Novosibirsk",
}
"""States and regions people ask about that lie (mostly) in one zone; the cities table has none of them."""
ALIASES = {
    "nyc": "new york",
    "la": "los angeles",
    "sf": "san francisco",
    "the uk": "united kingdom",
    "england": "united kingdom",
    "the us": "new york",
    "america": "new york",
    "the united states": "new york",
    "usa": "new york",
    "the netherlands": "netherlands",
    "holland": "netherlands",
    "bombay": "mumbai",
    "bangalore": "bengaluru",
    "calcutta": "kolkata",
    "madras": "chennai",
    "peking": "beijing",
    "saint petersburg": "st petersburg",
    "st. petersburg": "st petersburg",
}


@functools.cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    path = resource_path("skills", "cities.tsv")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, zone, _country = [*line.split("\t"), "", ""][:3]
        table.setdefault(name, zone)
    return table


def find_zone(place: str) -> tuple[str, zoneinfo.ZoneInfo] | None:
    """The place's display name and time zone, or None when Aris doesn't know it."""
    key = re.sub(r"[?.!,]", "", place).strip().lower()
    key = re.sub(r"\s+(right now|now|today|currently|at the moment)$", "", key)
    key = ALIASES.get(key, key)
    key = re.sub(r"^the\s+", "", key) if key not in _table() else key
    zone = (
        ABBREVIATIONS.get(key) or REGIONS.get(key) or _table().get(key) or _table().get(key.replace("-", " "))
    )
    if zone is None:
        return None
    name = key.upper() if key in ABBREVIATIONS and len(key) <= 4 else key.title()
    return name, zoneinfo.ZoneInfo(zone)


def table_size() -> int:
    """How many places the table knows (for tests and the README)."""
    return len(_table())


def zone_in_phrase(phrase: str) -> tuple[str, zoneinfo.ZoneInfo] | None:
    """The zone of a place said with more words than its name ("dallas texas", "lagos nigeria", "phoenix
    az"): the whole phrase first, then its first words, then its last ones."""
    words = re.sub(r"[?.!,]", " ", phrase.lower()).split()
    pieces = [" ".join(words)]
    pieces += [" ".join(words[:n]) for n in range(len(words) - 1, 0, -1)]
    pieces += [" ".join(words[-n:]) for n in range(len(words) - 1, 0, -1)]
    for piece in dict.fromkeys(pieces):
        found = find_zone(piece) or find_zone(f"{piece} time")  # "central" as in "central time"
        if found is not None:
            return found
    return None
