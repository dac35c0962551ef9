"""A simple automatic check for special category information in what a resident said.

UK GDPR article 9 covers health, racial or ethnic origin, political opinions, religious or
philosophical beliefs, trade union membership, genetic and biometric data and sex life or sexual
orientation. A note that reveals any of these about a person may be kept with their name only with
their explicit consent. The check is deliberately cautious and simple: a list of words and phrases,
with a few exclusions for everyday doorstep talk ("black bags", "the church hall", "health centre").
It raises a flag for the organiser; it never decides that a note is safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

CATEGORY_LABELS: dict[str, Any] = {
    "health": gettext_lazy("health"),
    "ethnicity": gettext_lazy("racial or ethnic origin"),
    "politics": gettext_lazy("political opinions"),
    "religion": gettext_lazy("religious or philosophical beliefs"),
    "trade_union": gettext_lazy("trade union membership"),
    "genetic": gettext_lazy("genetic or biometric data"),
    "sexuality": gettext_lazy("sex life or sexual orientation"),
}

_PATTERNS: dict[str, list[str]] = {
    "health": [
        r"\bdiabet\w*",
        r"\bcancer\b",
        r"\bchemo\w*",
        r"\bdementia\b",
        r"\balzheimer'?s?\b",
        r"\bdepress(ed|ion)\b",
        r"\banxiety\b",
        r"\bmental health\b",
        r"\bmental illness\b",
        r"\bpanic attacks?\b",
        r"\bself[- ]harm\w*",
        r"\bsuicid\w*",
        r"\bdisabled\b",
        r"\bdisability\b",
        r"\bwheelchair\b",
        r"\bmobility (aid|problems?)\b",
        r"\bstroke\b",
        r"\bheart (attack|condition|failure)\b",
        r"\bcopd\b",
        r"\basthma\b",
        r"\bepilep\w*",
        r"\bautis(m|tic)\b",
        r"\badhd\b",
        r"\bpregnan\w*",
        r"\bmiscarr\w*",
        r"\bmedication\b",
        r"\bhiv\b",
        r"\balcoholi\w*",
        r"\baddict\w*",
        r"\b(my|his|her|their) (illness|condition|diagnosis|operation|carer)\b",
        r"\b(is|was|am|are) (blind|deaf|partially sighted)\b",
    ],
    "ethnicity": [
        r"\bblack\b(?! (bags?|bin|bins|bin bags|mould|ice|spots?|cab|market|economy))",
        r"\b(asian|pakistani|bangladeshi|indian|chinese|caribbean|african|somali|romanian|roma|"
        r"gypsy|gypsies|irish traveller)s?\b(?! (takeaway|restaurant|shop|supermarket|food|carnival))",
        r"\bethnic\w*",
        r"\bracis[mt]\w*",
        r"\bracial\w*",
        r"\b(asylum seeker|refugee)s?\b",
    ],
    "politics": [
        r"\b(labour|tory|tories|conservatives?|lib ?dems?|liberal democrats?|green party|reform uk|"
        r"ukip|plaid cymru|snp)\b",
        r"\bvot(e|ed|es|ing) (for|against)\b",
        r"\b(socialist|communist|fascist|anarchist)s?\b",
        r"\b(party member|political views?|my politics)\b",
    ],
    "religion": [
        r"\b(muslim|christian|jewish|hindu|sikh|buddhist|atheist|catholic|methodist|baptist|"
        r"quaker|jehovah'?s? witness)e?s?\b",
        r"\b(my|our|his|her|their) (faith|religion|church|mosque|synagogue|temple|gurdwara)\b",
        r"\b(go|goes|went|going) to (the )?(church|mosque|synagogue|temple|gurdwara)\b(?! hall)",
        r"\b(pray|prays|prayed|praying)\b",
    ],
    "trade_union": [
        r"\btrade union\b",
        r"\bunion (member|rep|representative|membership)\b",
        r"\b(unison|gmb|unite the union)\b",
    ],
    "genetic": [r"\bgenetic\w*", r"\bdna\b", r"\bfingerprints?\b"],
    "sexuality": [
        r"\b(gay|lesbian|bisexual|transgender|queer|lgbt\w*|non-binary)\b",
        r"\btrans (man|woman|person|people|kids?)\b",
        r"\bsexual orientation\b",
        r"\b(my|his|her|their) (boyfriend|girlfriend|partner) and (i|he|she)\b",
    ],
}

# One pattern for everything, each category a named group, so a single pass over the text finds every
# category (a spreadsheet of 100,000 rows is checked row by row). Every pattern starts at a word
# boundary and is lower case (see the tests); testing the boundary once, before the alternatives,
# lets most positions fail at once.
_COMBINED = re.compile(
    r"\b(?:"
    + "|".join(
        f"(?P<{category}>{'|'.join(f'(?:{pattern[2:]})' for pattern in patterns)})"
        for category, patterns in _PATTERNS.items()
    )
    + ")"
)  # matched against lower-cased text: much faster than IGNORECASE, and the patterns are lower case
_ORDER = list(_PATTERNS)


@dataclass(frozen=True)
class Finding:
    category: str
    phrase: str


def findings(*texts: str) -> list[Finding]:
    """Every category found in ``texts`` with the first phrase that revealed it, in a stable order."""
    joined = "\n".join(text for text in texts if text).lower()
    if not joined.strip():
        return []
    first: dict[str, str] = {}
    for match in _COMBINED.finditer(joined):
        category = match.lastgroup
        if category is not None and category not in first:
            first[category] = match.group(0)
            if len(first) == len(_ORDER):
                break
    return [Finding(category=c, phrase=first[c]) for c in _ORDER if c in first]


def categories_in(*texts: str) -> list[str]:
    return [finding.category for finding in findings(*texts)]


def patterns_for_browser() -> dict[str, list[str]]:
    """The same patterns for the capture form's script, which warns while the organiser types.

    The syntax above is common to Python and JavaScript regular expressions, so one list serves both.
    """
    return {category: list(patterns) for category, patterns in _PATTERNS.items()}
