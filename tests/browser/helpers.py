from __future__ import annotations

import binascii
import time
from pathlib import Path
from typing import Any

from django_otp.oath import totp

from commonground.programme.demo import DEMO_PASSWORD, _demo_totp_key

REPO = Path(__file__).resolve().parents[2]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_last_code: dict[str, tuple[int, str]] = {}


def current_code(email: str) -> str:
    """The code the demo login's authenticator would show now; waits for a fresh one if this exact code
    was already used, as a person would, because each code may be used once."""
    key = binascii.unhexlify(_demo_totp_key(email))
    while True:
        window = int(time.time()) // 30
        code = f"{totp(key):06d}"
        if _last_code.get(email, (None, None))[0] != window:
            _last_code[email] = (window, code)
            return code
        time.sleep(1)


def sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if "/two-factor/" in page.url:
        page.get_by_label("Code from your authenticator app").fill(current_code(email))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/dashboard/")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    # Loaded from the site itself so the Content Security Policy allows it, as it would any page script.
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
    ]
