"""The recall evaluation: long multi-session conversations written from templates with a fixed seed, and
questions about them with the ids of the turns that hold the answer (single-hop, multi-hop, temporal).

Generated, not collected: it can be published and tuned on. The same seed always gives the same data (no
dependence on hash order or the clock); `tests/memory/test_recall_eval.py` checks that and the shape."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

SEED = 20260601
CONVERSATIONS = 12
SESSIONS = 30
TURNS_PER_SESSION = (8, 13)

_FIRST = [
    "Amara",
    "Bastien",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farid",
    "Greta",
    "Hiroshi",
    "Ingrid",
    "Jonas",
    "Kalani",
    "Lucia",
    "Matteo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tamsin",
    "Umar",
    "Valentina",
    "Wendell",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Anselm",
    "Brigid",
    "Cosimo",
    "Delphine",
]
_CITIES = [
    "Lisbon",
    "Porto",
    "Ghent",
    "Bergen",
    "Tallinn",
    "Krakow",
    "Valencia",
    "Lyon",
    "Leipzig",
    "Aarhus",
    "Bologna",
    "Galway",
    "Ljubljana",
    "Zagreb",
    "Malmo",
    "Tartu",
    "Graz",
    "Utrecht",
    "Cork",
    "Seville",
]
_COMPANIES = [
    "Halcyon",
    "Brightwater",
    "Norvale",
    "Quillfeather",
    "Tessaract",
    "Ambergate",
    "Corvid",
    "Lumenfold",
    "Stonebridge",
    "Vireo",
]
_ROLES = (
    "data analyst",
    "nurse",
    "teacher",
    "carpenter",
    "software engineer",
    "architect",
    "pharmacist",
    "translator",
    "baker",
    "electrician",
)
_ANIMALS = ("dog", "cat", "rabbit", "parrot", "tortoise", "hamster")
_PETS = [
    "Biscuit",
    "Pepper",
    "Mango",
    "Juniper",
    "Waffles",
    "Sprocket",
    "Noodle",
    "Clementine",
    "Pickles",
    "Ziggy",
]
_HOBBIES = (
    "pottery",
    "the cello",
    "rock climbing",
    "Japanese",
    "chess",
    "sourdough baking",
    "watercolour painting",
    "salsa dancing",
    "birdwatching",
    "fencing",
)
_PLACES = (
    "Mount Tamsen",
    "the Vesper Lakes",
    "Harrow Gorge",
    "Pinecrest Ridge",
    "the Calder Falls",
    "Blackmoor Forest",
    "Saltmarsh Bay",
    "Eagle Crag",
)
_RESTAURANTS = [
    "Casa Lumo",
    "The Copper Pot",
    "Saffron Lane",
    "Osteria Vento",
    "The Blue Heron",
    "Kiln & Crumb",
    "Mirabel",
    "Taqueria Sol",
]
_RELATIONS = ("sister", "brother", "cousin", "aunt", "best friend", "neighbour", "colleague", "uncle")
_DOCTORS = ("dentist", "physiotherapist", "optician", "dermatologist")
_FILLER = (
    "The weather was {adj} today, so I stayed in and read for a while.",
    "Work was {adj} this week, lots of meetings.",
    "I watched a {adj} documentary about {topic} last night.",
    "I'm thinking about what to cook for dinner, maybe something with {food}.",
    "I slept badly, the neighbours had a party until late.",
    "Can you remind me how long to boil an egg?",
    "I finally cleaned the kitchen, it took ages.",
    "The train was late again this morning.",
    "I read an article about {topic} that was really {adj}.",
    "I bought some {food} at the market this morning.",
    "My phone battery keeps dying, I might need a new one.",
    "I went for a short walk in the park after lunch.",
    "I have been listening to a podcast about {topic}.",
    "The bakery near me started selling {food}.",
    "I'm a bit tired today, nothing special happened.",
    "I spent the evening sorting old photos.",
)
_ADJ = ("grey", "busy", "strange", "lovely", "exhausting", "quiet", "fascinating", "long")
_TOPICS = (
    "octopuses",
    "volcanoes",
    "ancient Rome",
    "deep sea fish",
    "jazz history",
    "glaciers",
    "bees",
    "comets",
)
_FOODS = (
    "lentils",
    "asparagus",
    "mushrooms",
    "chickpeas",
    "fresh figs",
    "rye bread",
    "aubergines",
    "mussels",
)


@dataclass(frozen=True)
class Turn:
    """One user turn: an id unique in its conversation, the session's date and what the user said."""

    id: str
    day: date
    text: str


@dataclass(frozen=True)
class Question:
    """A question with the ids of the turns that together hold its answer."""

    id: str
    kind: str
    """single | multi | temporal."""
    text: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class GeneratedConversation:
    """One person's conversations with the assistant over many sessions, and questions about them."""

    id: str
    turns: tuple[Turn, ...]
    questions: tuple[Question, ...]


KINDS = ("single", "multi", "temporal")


def conversations(seed: int = SEED, count: int = CONVERSATIONS) -> list[GeneratedConversation]:
    """The evaluation set: the same for the same seed, on any machine."""
    return [_conversation(random.Random(seed * 1000 + n), f"c{n:02d}") for n in range(count)]


class _Writer:
    """Collects the turns of one conversation, session by session, and the questions they make possible."""

    def __init__(self, rng: random.Random, cid: str) -> None:
        self.rng = rng
        self.cid = cid
        self.turns: list[Turn] = []
        self.questions: list[Question] = []
        self.day = date(2024, 1, 8) + timedelta(days=rng.randrange(0, 200))

    def say(self, text: str) -> str:
        turn = Turn(f"{self.cid}-t{len(self.turns):04d}", self.day, text)
        self.turns.append(turn)
        return turn.id

    def ask(self, kind: str, text: str, *evidence: str) -> None:
        self.questions.append(Question(f"{self.cid}-q{len(self.questions):03d}", kind, text, tuple(evidence)))

    def filler(self) -> None:
        r = self.rng
        self.say(r.choice(_FILLER).format(adj=r.choice(_ADJ), topic=r.choice(_TOPICS), food=r.choice(_FOODS)))


def _when(day: date) -> str:
    return f"{day:%B} {day.day}"


def _conversation(rng: random.Random, cid: str) -> GeneratedConversation:  # noqa: PLR0912, PLR0915 - one story, told in order
    w = _Writer(rng, cid)
    people = rng.sample(_FIRST, 10)
    relatives = dict(zip(rng.sample(_RELATIONS, 6), people[:6], strict=True))
    cities = rng.sample(_CITIES, 10)
    home_moves: list[tuple[str, str, date]] = []  # (city, turn id, day)
    jobs: list[tuple[str, str, str]] = []  # (company, role, turn id)
    people_city: dict[str, tuple[str, str]] = {}
    hikes: list[tuple[str, str, str]] = []  # (friend, place, turn id)
    events: list[tuple[str, ...]] = []
    for session in range(SESSIONS):
        w.day += timedelta(days=rng.randrange(3, 12))
        plan = ["filler"] * rng.randrange(*TURNS_PER_SESSION)
        story = ["move", "job", "relative", "pet", "hobby", "hike", "restaurant", "doctor", "trip"]
        for slot in rng.sample(range(len(plan)), k=min(len(plan), 3 if session else 4)):
            plan[slot] = rng.choice(story) if session else ("move", "job", "relative", "pet")[slot % 4]
        for step in plan:
            if step == "filler":
                w.filler()
            elif step == "move" and len(home_moves) < 4:
                city = next(c for c in cities if c not in {m[0] for m in home_moves})
                text = rng.choice(
                    (
                        f"I just moved to {city}, the flat is small but bright.",
                        f"Big news: we relocated to {city} this weekend.",
                        f"I've settled into my new place in {city}.",
                    )
                )
                home_moves.append((city, w.say(text), w.day))
            elif step == "job" and len(jobs) < 4:
                company, role = rng.choice(_COMPANIES), rng.choice(_ROLES)
                jobs.append((company, role, w.say(f"I started a new job at {company} as a {role}.")))
            elif step == "relative" and len(people_city) < 6:
                relation, name = next((r, n) for r, n in relatives.items() if n not in people_city)
                city = rng.choice(cities)
                intro = w.say(f"My {relation} is called {name}.")
                lives = w.say(rng.choice((f"{name} lives in {city} now.", f"{name} has a house in {city}.")))
                people_city[name] = (city, lives)
                w.ask("single", f"What is my {relation}'s name?", intro)
                w.ask("multi", f"Which city does my {relation} live in?", intro, lives)
            elif step == "pet":
                animal, pet = rng.choice(_ANIMALS), rng.choice(_PETS)
                adopted = w.say(f"I adopted a {animal} and named it {pet}.")
                w.ask("single", f"What is the name of my {animal}?", adopted)
                w.ask("temporal", f"When did I adopt {pet}?", adopted)
            elif step == "hobby":
                hobby = rng.choice(_HOBBIES)
                started = w.say(f"I signed up for a class to learn {hobby}.")
                w.ask(
                    "single",
                    f"What class did I sign up for to learn something new{'' if rng.random() < 0.5 else ' recently'}?",
                    started,
                )
                w.ask("temporal", f"When did I start learning {hobby}?", started)
            elif step == "hike" and people_city:
                friend, place = rng.choice(list(people_city)), rng.choice(_PLACES)
                went = w.say(f"{friend} and I went hiking at {place}, the views were amazing.")
                hikes.append((friend, place, went))
                w.ask("single", f"Who did I go hiking with at {place}?", went)
                w.ask(
                    "multi", f"Where does the person I hiked {place} with live?", went, people_city[friend][1]
                )
                w.ask("temporal", f"When did I go hiking at {place}?", went)
            elif step == "restaurant":
                place = rng.choice(_RESTAURANTS)
                dish = rng.choice(_FOODS)
                ate = w.say(f"We had dinner at {place}, their {dish} was the best I've had.")
                w.ask("single", f"Which restaurant served the best {dish} I've had?", ate)
            elif step == "doctor":
                doctor, name = rng.choice(_DOCTORS), rng.choice(people[6:])
                when = w.day + timedelta(days=rng.randrange(5, 40))
                booked = w.say(f"I booked an appointment with my {doctor}, Dr. {name}, for {_when(when)}.")
                w.ask("single", f"What is the name of my {doctor}?", booked)
                w.ask("temporal", f"When is my appointment with the {doctor}?", booked)
            elif step == "trip" and home_moves:
                city = rng.choice([c for c in cities if c not in {m[0] for m in home_moves}])
                visited = w.say(f"I spent a long weekend in {city} visiting museums.")
                events.append((city, visited))
                w.ask("temporal", f"When did I visit {city}?", visited)
            else:
                w.filler()
    for i, (city, turn_id, _) in enumerate(home_moves):
        w.ask("temporal", f"When did I move to {city}?", turn_id)
        if i:
            w.ask("temporal", f"Where did I live before I moved to {city}?", home_moves[i - 1][1], turn_id)
    if home_moves:
        w.ask("temporal", "Which city do I live in now?", home_moves[-1][1])
    for i, (company, _role, turn_id) in enumerate(jobs):
        w.ask("single", f"What is my job at {company}?", turn_id)
        if i:
            w.ask("temporal", f"What job did I have before I joined {company}?", jobs[i - 1][2], turn_id)
    for friend, _place, went in hikes[:3]:
        relation = next(r for r, n in relatives.items() if n == friend)
        w.ask("multi", f"Did my {relation} go hiking with me, and where?", went, _intro_of(w, relation))
    # A question asked twice (two rabbits adopted) has no single right answer: leave such questions out.
    counts: dict[str, int] = {}
    for q in w.questions:
        counts[q.text] = counts.get(q.text, 0) + 1
    return GeneratedConversation(cid, tuple(w.turns), tuple(q for q in w.questions if counts[q.text] == 1))


def _intro_of(w: _Writer, relation: str) -> str:
    return next(t.id for t in w.turns if t.text.startswith(f"My {relation} is called "))
