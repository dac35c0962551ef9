"""Removing personal details from residents' words before they are quoted anywhere.

Quotes travel: into area evidence, forum agendas, impact reports and "you said, we did" pages. A
doorstep note often names a neighbour or gives a phone number; those must not travel with it. The
rules here are deliberately pattern-based and explainable (an officer can see why something was
removed) and lean towards keeping ordinary words: bus routes ("the 38 bus"), durations ("2 years"),
places ("Bath") and months ("May") stay. They are a safety net, not a guarantee: quotes are still
read by a person before publication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

NAME = "[name]"
PHONE = "[phone]"
EMAIL = "[email]"
ADDRESS = "[address]"
POSTCODE = "[postcode]"

_PRIORITY = {EMAIL: 0, PHONE: 1, POSTCODE: 2, ADDRESS: 3, NAME: 4}

POSTCODE_AREAS = frozenset(
    [
        "AB",
        "AL",
        "B",
        "BA",
        "BB",
        "BD",
        "BH",
        "BL",
        "BN",
        "BR",
        "BS",
        "BT",
        "CA",
        "CB",
        "CF",
        "CH",
        "CM",
        "CO",
        "CR",
        "CT",
        "CV",
        "CW",
        "DA",
        "DD",
        "DE",
        "DG",
        "DH",
        "DL",
        "DN",
        "DT",
        "DY",
        "E",
        "EC",
        "EH",
        "EN",
        "EX",
        "FK",
        "FY",
        "G",
        "GL",
        "GU",
        "GY",
        "HA",
        "HD",
        "HG",
        "HP",
        "HR",
        "HS",
        "HU",
        "HX",
        "IG",
        "IM",
        "IP",
        "IV",
        "JE",
        "KA",
        "KT",
        "KW",
        "KY",
        "L",
        "LA",
        "LD",
        "LE",
        "LL",
        "LN",
        "LS",
        "LU",
        "M",
        "ME",
        "MK",
        "ML",
        "N",
        "NE",
        "NG",
        "NN",
        "NP",
        "NR",
        "NW",
        "OL",
        "OX",
        "PA",
        "PE",
        "PH",
        "PL",
        "PO",
        "PR",
        "RG",
        "RH",
        "RM",
        "S",
        "SA",
        "SE",
        "SG",
        "SK",
        "SL",
        "SM",
        "SN",
        "SO",
        "SP",
        "SR",
        "SS",
        "ST",
        "SW",
        "SY",
        "TA",
        "TD",
        "TF",
        "TN",
        "TQ",
        "TR",
        "TS",
        "TW",
        "UB",
        "W",
        "WA",
        "WC",
        "WD",
        "WF",
        "WN",
        "WR",
        "WS",
        "WV",
        "YO",
        "ZE",
    ]
)

_NAME_WORD = r"[A-Z][a-z]+(?:['’-][A-Za-z]+)?"
_TITLE = (
    r"(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof|Rev|Revd|Sir|Dame|Lady|Lord|Cllr|Councillor|Father|Sister|Nurse)"
)
_RELATION_WORDS = (
    r"neighbou?rs?|friends?|husband|wife|partner|son|daughter|mum|mom|mother|dad|father|"
    r"brother|sister|nan|nana|gran|granny|grandma|grandad|grandpa|grandson|granddaughter|aunt|auntie|"
    r"uncle|cousin|nephew|niece|carer|landlord|landlady|colleague|boss|mate|boyfriend|girlfriend|"
    r"lodger|tenant|flatmate|child|kid|baby|stepson|stepdaughter"
)
_NOT_NAMES = frozenset(
    [
        "I",
        "The",
        "A",
        "An",
        "It",
        "He",
        "She",
        "They",
        "We",
        "You",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "Council",
        "Police",
        "NHS",
        "GP",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Christmas",
        "Easter",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "And",
        "But",
        "Or",
        "So",
        "If",
        "When",
        "Then",
        "On",
        "In",
        "At",
        "To",
        "From",
        "For",
        "With",
        "By",
        "Of",
        "Is",
        "Was",
        "Has",
        "Had",
        "Said",
        "Says",
        "Who",
        "Which",
        "What",
        "Why",
        "How",
        "Last",
        "Next",
        "Every",
        "Yesterday",
        "Today",
        "Tomorrow",
        "Please",
        "Thanks",
        "Thank",
        "Also",
        "Just",
        "Not",
        "No",
        "Yes",
        "My",
        "Our",
        "His",
        "Her",
        "Their",
        "Your",
    ]
)

_COMMON_WORDS = ENGLISH_STOP_WORDS - {"may", "will", "bill"}
_ORGANISATION_WORDS = frozenset(
    {
        "Medical",
        "Surgery",
        "Practice",
        "Centre",
        "Center",
        "Hospital",
        "Council",
        "Housing",
        "Homes",
        "Ltd",
        "Limited",
        "Services",
        "Service",
        "Trust",
        "School",
        "Academy",
        "College",
        "Church",
        "Chapel",
        "Club",
        "Rugby",
        "Football",
        "United",
        "Group",
        "Partnership",
        "Association",
        "Society",
        "Cafe",
        "Café",
        "Pharmacy",
        "Library",
        "Line",
    }
)
_EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE_PATTERN = re.compile(
    r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d{2,5}\)?(?:[\s-]?\d){5,8}(?![\d])"
)
_FULL_POSTCODE_PATTERN = re.compile(
    r"\b(?P<area>[A-Za-z]{1,2})(?P<district>\d[A-Za-z\d]?)\s?(?P<sector>\d)(?P<unit>[A-Za-z]{2})\b"
)
_PARTIAL_POSTCODE_PATTERN = re.compile(
    r"\b(?P<area>[A-Z]{1,2})(?P<district>\d[A-Z\d]?)\s(?P<sector>\d)\b(?![A-Za-z])"
)
_STREET_SUFFIX = (
    r"(?i:street|st|road|rd|avenue|ave|lane|ln|close|drive|way|crescent|cres|place|terrace|"
    r"gardens|gdns|court|ct|grove|hill|square|sq|walk|row|mews|rise|view|parade|green|vale|gate|"
    r"park|buildings|fields|meadows?|estate|wharf|walkway|yard)"
)
_STREET_PATTERN = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?P<street>(?:[A-Za-z][A-Za-z'’.-]*\s+){1,3})"
    + _STREET_SUFFIX
    + r"\b\.?"
)
_NOT_STREET_WORDS = frozenset(
    [
        "years",
        "year",
        "months",
        "month",
        "weeks",
        "week",
        "days",
        "day",
        "times",
        "time",
        "minutes",
        "mins",
        "hours",
        "hrs",
        "miles",
        "mile",
        "yards",
        "metres",
        "houses",
        "house",
        "doors",
        "door",
        "down",
        "up",
        "the",
        "a",
        "an",
        "of",
        "on",
        "at",
        "in",
        "to",
        "from",
        "by",
        "along",
        "across",
        "more",
        "other",
        "bus",
        "buses",
        "kids",
        "children",
        "people",
        "and",
        "or",
        "off",
        "for",
        "with",
        "over",
        "under",
        "about",
        "round",
        "around",
        "near",
        "past",
        "into",
        "onto",
        "every",
        "per",
        "all",
        "few",
        "many",
        "some",
        "cars",
    ]
)
_FLAT_PATTERN = re.compile(r"\b(?i:flat|apartment|apt\.?)\s*\d{1,4}[A-Za-z]?\b")
_HOUSE_NUMBER_PATTERN = re.compile(
    r"\b(?i:no)\.\s?\d{1,4}[A-Za-z]?\b|(?<=\bat )(?i:number|no)\s+\d{1,4}[A-Za-z]?\b"
)
_TITLED_NAME_PATTERN = re.compile(
    rf"\b{_TITLE}\.?\s+(?:[A-Z]\.\s?)?(?P<name>{_NAME_WORD})(?:\s+{_NAME_WORD})?"
)
_RELATION_NAME_PATTERN = re.compile(
    rf"\b(?i:my|our|his|her|their|your)\s+(?i:{_RELATION_WORDS})(?:\s+(?i:called|named))?,?\s+"
    rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)
_CALLED_NAME_PATTERN = re.compile(
    rf"\b(?:called|named|name is|name's|known as)\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)


@dataclass(frozen=True)
class Finding:
    """One personal detail: where it is, what it was and what replaces it."""

    start: int
    end: int
    text: str
    replacement: str


def find_personal_details(text: str) -> list[Finding]:
    """Every detail to remove, without overlaps; earlier, stronger and longer matches win."""
    candidates: list[Finding] = []

    def add(start: int, end: int, replacement: str) -> None:
        candidates.append(Finding(start, end, text[start:end], replacement))

    for match in _EMAIL_PATTERN.finditer(text):
        add(match.start(), match.end(), EMAIL)
    for match in _PHONE_PATTERN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        national = (digits[2:] if match.group().startswith("+") else digits).removeprefix("0")
        if 9 <= len(national) <= 10:
            add(match.start(), match.end(), PHONE)
    for match in _FULL_POSTCODE_PATTERN.finditer(text):
        if match["area"].upper() in POSTCODE_AREAS:
            add(match.start(), match.end(), POSTCODE)
    for match in _PARTIAL_POSTCODE_PATTERN.finditer(text):
        if match["area"] in POSTCODE_AREAS:
            add(match.start(), match.end(), POSTCODE)
    for match in _STREET_PATTERN.finditer(text):
        words = match["street"].split()
        if not any(word.lower().strip(".,") in _NOT_STREET_WORDS for word in words):
            add(match.start(), match.end(), ADDRESS)
    for pattern in (_FLAT_PATTERN, _HOUSE_NUMBER_PATTERN):
        for match in pattern.finditer(text):
            add(match.start(), match.end(), ADDRESS)
    for match in _TITLED_NAME_PATTERN.finditer(text):
        if match["name"] not in _NOT_NAMES:
            add(match.start(), _trim_name(text, match.start("name"), match.end())[1], NAME)
    for pattern in (_RELATION_NAME_PATTERN, _CALLED_NAME_PATTERN):
        for match in pattern.finditer(text):
            start, end = _trim_name(text, match.start("name"), match.end("name"))
            if end > start and not _ORGANISATION_WORDS & set(match["name"].split()):
                add(start, end, NAME)
    return _without_overlaps(candidates)


def redact(text: str) -> str:
    """The text with each personal detail replaced by a bracketed placeholder such as ``[name]``."""
    if not text:
        return text
    pieces: list[str] = []
    position = 0
    for finding in find_personal_details(text):
        pieces.append(text[position : finding.start])
        pieces.append(finding.replacement)
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop words that are capitalised but not names ("Dave On Monday" keeps only "Dave")."""
    words = list(re.finditer(r"\S+", text[start:end]))
    kept_end = start
    for word in words:
        if word.group() in _NOT_NAMES or word.group().lower() in _COMMON_WORDS:
            break
        kept_end = start + word.end()
    return start, kept_end


def _without_overlaps(candidates: list[Finding]) -> list[Finding]:
    ordered = sorted(
        candidates, key=lambda f: (_PRIORITY[f.replacement], -(f.end - f.start), f.start)
    )
    chosen: list[Finding] = []
    for candidate in ordered:
        if all(candidate.end <= kept.start or candidate.start >= kept.end for kept in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda f: f.start)
