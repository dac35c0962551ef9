# Consent and sharing are tested against the same small world as listening.
from commonground.listening.tests.conftest import world  # noqa: F401
