"""Synthetic doorstep notes that read like an organiser's own, for demos, tests and benchmarks.

Every note is invented and reproducible from a seed. Each carries the themes it was written from, so
a tagger can be trained or scored against them. Plain Python: nothing here needs Django.

Use::

    note = generate_conversation(random.Random(7))
    note.concerns, note.themes        # what they said, and the themes it was written from
    list(generate_conversations(1000, seed=2026))
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

THEMES: dict[str, str] = {
    "litter_flytipping": "Litter and flytipping",
    "youth_provision": "Youth provision",
    "buses": "Buses and getting about",
    "loneliness": "Loneliness and isolation",
    "housing_repairs": "Housing repairs and damp",
    "parking": "Parking",
    "green_spaces": "Parks and green spaces",
    "antisocial_behaviour": "Anti-social behaviour",
    "speeding": "Speeding traffic and road safety",
    "cost_of_living": "Cost of living",
}

# How often each theme comes up, roughly as organisers' reports describe doorstep listening.
DEFAULT_WEIGHTS: dict[str, float] = {
    "litter_flytipping": 16,
    "youth_provision": 12,
    "buses": 11,
    "loneliness": 9,
    "housing_repairs": 10,
    "parking": 10,
    "green_spaces": 9,
    "antisocial_behaviour": 12,
    "speeding": 6,
    "cost_of_living": 8,
}

_PLACES = [
    "the garages",
    "the shops on the parade",
    "the rec",
    "the underpass",
    "the bus stop by the school",
    "the back lane",
    "the community centre",
    "the flats at the top",
    "the playing field",
    "the car park behind the pub",
    "the footpath to the river",
    "the estate",
]
_DURATIONS = ["for three weeks", "since Easter", "for months", "since the summer", "all winter"]
_DAYS = ["Monday", "the weekend", "Thursday", "bin day"]
_ROUTES = ["the 4", "the 20A", "the 172", "the 768", "the 13", "the D2"]

_CONCERNS: dict[str, list[str]] = {
    "litter_flytipping": [
        "Flytipping behind {place} again – mattress and an old fridge there {duration}. Reported it twice, nothing happened.",
        "Litter everywhere round {place}, bins overflowing by {day}.",
        "People dumping black bags by {place}. Foxes get into them and it's all over the path.",
        "dog mess on the path to the school, kids walking through it every morning",
        "Bulky waste collection costs too much so people just dump stuff in the lane",
        "Rubbish blowing about from the takeaway, nobody clears it",
    ],
    "youth_provision": [
        "Nothing for the teenagers to do round here since the youth club shut.",
        "Kids hanging about {place} cos there's nowhere else to go, not their fault",
        "Two boys (13 & 15) bored stiff in the holidays – wants a youth club back",
        "No summer activities that don't cost money. Holiday club is £20 a day.",
        "Young people get moved on from everywhere. Skate park was promised years ago.",
    ],
    "buses": [
        "{route} only runs every hour now and stops at 6pm – can't get to work for the early shift.",
        "Bus into town is £3 each way, too dear for the family to go together",
        "Buses just don't turn up, timetable at the stop is wrong",
        "Since they cut the Sunday service can't visit her sister in town",
        "No bus to the hospital without changing twice",
    ],
    "loneliness": [
        "Lives alone since husband died, some weeks doesn't speak to anyone.",
        "Misses the coffee mornings at {place} – they stopped after covid",
        "Lots of older people on the street who never come out",
        "New to the area, doesn't know anyone yet, feels a bit cut off",
        "Works from home, says you can go days without seeing a neighbour",
    ],
    "housing_repairs": [
        "Damp in the back bedroom for months, landlord not fixing it. Black mould on the walls.",
        "Waiting since the spring for the boiler to be fixed, using a fan heater",
        "Windows don't shut properly, heating bills through the roof",
        "Housing association repairs line never answers, 40 mins on hold",
        "Gutters on the whole block leaking, been reported lots of times",
    ],
    "parking": [
        "Cars parked on the pavement, can't get the pushchair past",
        "Commuters park here all day then walk to the station",
        "Vans from the garage take up half the street",
        "School run is chaos – parents park across driveways",
        "Not enough spaces for residents since the new houses went up",
    ],
    "green_spaces": [
        "The park is lovely but the play equipment has been broken {duration}",
        "Paths by the river overgrown, doesn't feel safe walking there",
        "Grass on the green not cut since spring",
        "Would like more trees on the estate, it's all concrete",
        "The allotments have a two year waiting list",
    ],
    "antisocial_behaviour": [
        "Motorbikes racing round the estate late at night",
        "Groups drinking by {place}, shouting till 2am",
        "Drug dealing in the alley, everyone knows but nothing gets done",
        "Car broken into twice this year, doesn't bother reporting now",
        "Fireworks let off at the bus shelter, windows smashed",
    ],
    "speeding": [
        "Cars fly down the hill, someone will get killed outside the school",
        "Needs a crossing by {place}, hard to get across with the kids",
        "Speed bumps don't slow anyone down, 20mph ignored",
        "Lorries using the lane as a rat run",
    ],
    "cost_of_living": [
        "Struggling with the bills since the prices went up, food bank twice this month",
        "Both working and still can't make it to the end of the month",
        "Energy bills frightening, keeping the heating off",
        "Nowhere cheap to buy fresh food since the shop closed",
    ],
}

_IDEAS: dict[str, list[str]] = {
    "litter_flytipping": [
        "A community litter pick once a month, council to lend the grabbers",
        "CCTV or a sign at the garages",
        "Free bulky waste day twice a year",
        "More bins on the way to the school",
    ],
    "youth_provision": [
        "Reopen the youth club, even one night a week",
        "Use the community centre for a youth night",
        "Football sessions on the playing field in the holidays",
        "Ask the young people what they want",
    ],
    "buses": [
        "Bring back the evening bus",
        "A community minibus for the shops and the surgery",
        "Get the timetable fixed and a shelter at the top stop",
        "Lift sharing group on the estate",
    ],
    "loneliness": [
        "Restart the coffee morning",
        "A walking group for older people",
        "Street party to get to know each other",
        "Befriending – someone to pop in once a week",
    ],
    "housing_repairs": [
        "Tenants get together and go to the housing association as a group",
        "A drop-in with someone from repairs at the community centre",
        "Help with writing complaints",
    ],
    "parking": [
        "Residents' parking scheme",
        "Talk to the school about a walking bus",
        "Bollards to stop pavement parking",
    ],
    "green_spaces": [
        "Friends of the park group",
        "Community garden on the spare land",
        "Plant trees with the school",
        "Fix the play area – could crowdfund",
    ],
    "antisocial_behaviour": [
        "Police to come to a residents' meeting",
        "Better lighting in the alley",
        "Something for the lads to do instead",
        "A neighbourhood watch",
    ],
    "speeding": [
        "Speed watch with the police",
        "A zebra crossing outside the school",
        "Residents measure the speeds themselves",
    ],
    "cost_of_living": [
        "Community fridge or pantry",
        "Energy advice session at the community centre",
        "Swap shop for school uniform",
    ],
}

_WOULD_DO = [
    "Would join a litter pick",
    "Could help run a stall",
    "Happy to put posters up",
    "Not much time with work – maybe a one-off",
    "Would come to a meeting about it",
    "Could bake for a coffee morning",
    "Would help get the petition round",
    "Knows how to do Facebook, could set up a group",
    "Would talk to the neighbours on the street",
    "Not sure yet, take number and ask again",
    "",
    "",
]

_LOVES = [
    "Friendly neighbours, been here 30 years",
    "Close to the countryside, lovely walks",
    "The community centre and the people there",
    "Quiet street, good for the kids",
    "The park",
    "Good primary school",
    "Local shops on the parade, everything you need",
    "Views over the city",
    "Everyone looks out for each other",
    "Family all live nearby",
    "Not much – only moved here for the house",
    "The allotments",
    "",
]

_TALK_TO = [
    "the lady at the corner shop who knows everyone",
    "residents' association",
    "the parents' group at the primary school",
    "the youth worker who used to run the club",
    "allotment society",
    "the couple at the end who started the Facebook group",
    "the vicar, runs the food bank",
    "the football club coach",
    "",
    "",
    "",
]

# A few notes reveal health, beliefs or origin, as real ones do; the special category check should
# flag exactly these.
_SPECIAL: dict[str, list[str]] = {
    "buses": [
        "Since her stroke she can't manage the hill to the bus stop.",
        "Uses a wheelchair and the bus ramp is often broken.",
    ],
    "loneliness": [
        "Struggling with depression since losing his job, would like something to get out for.",
        "Husband has dementia, she's his carer and never gets a break.",
    ],
    "parking": ["Goes to the mosque on Fridays, parking there is a nightmare."],
    "housing_repairs": ["Damp making her asthma much worse, GP has written to the landlord."],
    "antisocial_behaviour": ["Says there has been racist graffiti on the underpass twice."],
}


@dataclass(frozen=True)
class GeneratedConversation:
    loves: str
    concerns: str
    ideas: str
    would_do: str
    talk_to: str
    themes: tuple[str, ...]
    special_category: bool

    def text(self) -> str:
        """The taggable answers joined, as :attr:`Conversation.text` joins them."""
        return "\n".join(
            part for part in (self.loves, self.concerns, self.ideas, self.would_do) if part.strip()
        )


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        place=rng.choice(_PLACES),
        duration=rng.choice(_DURATIONS),
        day=rng.choice(_DAYS),
        route=rng.choice(_ROUTES),
    )


def _casual(text: str, rng: random.Random) -> str:
    """Organisers write fast on a doorstep: some notes lose their capitals and full stops."""
    if not text:
        return text
    roll = rng.random()
    if roll < 0.15:
        text = text[0].lower() + text[1:]
    if roll < 0.25 and text.endswith("."):
        text = text[:-1]
    if roll > 0.9:
        text = text.replace(" and ", " & ")
    return text


def _sentences(parts: list[str]) -> str:
    """Join notes so that one ends before the next begins, even when a full stop was dropped."""
    joined = ""
    for part in parts:
        if joined and joined[-1] not in ".!?":
            joined += "."
        joined = f"{joined} {part}" if joined else part
    return joined


def generate_conversation(
    rng: random.Random,
    *,
    theme_weights: Mapping[str, float] | None = None,
    special_category_rate: float = 0.04,
) -> GeneratedConversation:
    """One synthetic conversation with one or two concern themes."""
    weights = dict(theme_weights or DEFAULT_WEIGHTS)
    names = [name for name in THEMES if weights.get(name, 0) > 0]
    theme_count = min(2 if rng.random() < 0.3 else 1, len(names))
    themes: list[str] = []
    while len(themes) < theme_count:
        pick = rng.choices(names, weights=[weights[n] for n in names])[0]
        if pick not in themes:
            themes.append(pick)
    special = False
    concerns: list[str] = []
    for theme in themes:
        if not special and theme in _SPECIAL and rng.random() < special_category_rate * 3:
            concerns.append(rng.choice(_SPECIAL[theme]))
            special = True
        else:
            concerns.append(_casual(_fill(rng.choice(_CONCERNS[theme]), rng), rng))
    ideas = [rng.choice(_IDEAS[theme]) for theme in themes if rng.random() < 0.7]
    return GeneratedConversation(
        loves=_casual(rng.choice(_LOVES), rng),
        concerns=_sentences(concerns),
        ideas="; ".join(ideas),
        would_do=rng.choice(_WOULD_DO),
        talk_to=rng.choice(_TALK_TO),
        themes=tuple(themes),
        special_category=special,
    )


def generate_conversations(
    count: int, *, seed: int = 2026, theme_weights: Mapping[str, float] | None = None
) -> Iterator[GeneratedConversation]:
    """``count`` conversations, the same ones for the same seed."""
    rng = random.Random(seed)
    for _index in range(count):
        yield generate_conversation(rng, theme_weights=theme_weights)


_FIRST_NAMES = [
    "Aled", "Bronwen", "Cass", "Dara", "Effie", "Fitz", "Gaia", "Hollis", "Ines", "Jory",
    "Keziah", "Lorcan", "Marnie", "Noor", "Orla", "Pip", "Quinn", "Rosalind", "Saoirse", "Tobin",
    "Una", "Vashti", "Wren", "Xanthe", "Yusra", "Zeb",
]  # fmt: skip
_SURNAMES = [
    "Abernethy-Lowe", "Brightwater", "Copperfield-Ng", "Dunmore", "Eldridge-Okoro", "Fenwick",
    "Gallowglass", "Hartigan", "Ilesworth", "Jessamy", "Kettleborough", "Lindqvist-Rowe",
    "Merriweather", "Nettlefold", "Ormsby-Kaur", "Pendlebury", "Quarrington", "Rushworth",
    "Saltmarsh", "Thistlewood", "Underhill", "Vantongeren", "Wetherall", "Yardley-Osei",
]  # fmt: skip


def synthetic_name(rng: random.Random) -> str:
    """An invented full name (no real person intended)."""
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"
