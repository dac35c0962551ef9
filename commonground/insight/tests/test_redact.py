from __future__ import annotations

import pytest

from commonground.insight.redact import find_personal_details, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # names
        ("Mrs Smith says the bins are never emptied", "[name] says the bins are never emptied"),
        ("Dr Ahmed Khan and Mr. J. Bloggs came round", "[name] and [name] came round"),
        ("my neighbour Dave keeps dumping rubbish", "my neighbour [name] keeps dumping rubbish"),
        ("Our neighbours, Tom Jones, are lovely", "Our neighbours, [name], are lovely"),
        ("a lady called Margaret Ellis runs it", "a lady called [name] runs it"),
        ("her son named Kai is in the youth club", "her son named [name] is in the youth club"),
        ("my sister Jane On Monday said", "my sister [name] On Monday said"),
        ("my friend May came too", "my friend [name] came too"),
        # phones
        ("ring 07700 900123 after six", "ring [phone] after six"),
        ("call 07700900123", "call [phone]"),
        ("+44 7700 900 123 is my mobile", "[phone] is my mobile"),
        ("office +44 (0)1225 477000", "office [phone]"),
        ("home 01225 477000 or 0117-496-0123", "home [phone] or [phone]"),
        ("(01225) 477 000", "[phone]"),
        # e-mail
        ("email jane.doe+council@example.co.uk please", "email [email] please"),
        # addresses
        ("I live at 12 Acacia Avenue", "I live at [address]"),
        ("12a High Street and 4 St Johns Road", "[address] and [address]"),
        ("5 orchard close has rats", "[address] has rats"),
        ("she is in flat 3b above the shop", "she is in [address] above the shop"),
        ("Flat 12, no. 42 and at number 7", "[address], [address] and at [address]"),
        # postcodes
        ("postcode BA2 3AB", "postcode [postcode]"),
        ("write ba23ab on it", "write [postcode] on it"),
        ("somewhere in BA2 3 I think", "somewhere in [postcode] I think"),
        ("SW1A 1AA and EC1A 1BB", "[postcode] and [postcode]"),
    ],
)
def test_personal_details_are_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the 38 bus is always late",
        "the number 38 bus to the RUH",
        "I have lived here 2 years and love Bath",
        "We moved to Bath in May",
        "the May fair was brilliant",
        "2 years down the road nothing changed",
        "10 houses on the road flooded",
        "call 999 or 111 in an emergency",
        "tickets cost 0.50 each and 3 for 1.20",
        "the A38 2 times a day is gridlocked",
        "we meet on 12/05/2024 at 10:30",
        "No 1 priority is the buses",
        "I called the council twice",
        "When I called Parkway Medical they had no record",
        "It's called Bath Rugby",
        "late being called Into see the nurse",
        "Father Christmas came to the fair",
        "",
    ],
)
def test_ordinary_words_and_numbers_stay(text: str) -> None:
    assert redact(text) == text


def test_findings_explain_what_was_removed() -> None:
    findings = find_personal_details("Mrs Smith, 07700 900123, BA2 3AB")
    assert [(f.text, f.replacement) for f in findings] == [
        ("Mrs Smith", "[name]"),
        ("07700 900123", "[phone]"),
        ("BA2 3AB", "[postcode]"),
    ]


def test_overlapping_details_are_replaced_once() -> None:
    assert (
        redact("write to dave.smith@example.org or Dave Smith") == "write to [email] or Dave Smith"
    )
    assert redact("Mr Jones at 12 Acacia Avenue, BA2 3AB") == "[name] at [address], [postcode]"
