"""Geography is open data: anyone may read it. Neighbourhoods are drawn by council officers, host
managers and administrators."""

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import holds_role


@rules.predicate
def draws_neighbourhoods(user: object) -> bool:
    return holds_role(user, Role.COUNCIL_OFFICER, Role.HOST_MANAGER, Role.ADMINISTRATOR)


rules.add_perm("places.view_place", rules.always_allow)
rules.add_perm("places.add_neighbourhood", draws_neighbourhoods)
rules.add_perm("places.change_neighbourhood", draws_neighbourhoods)
rules.add_perm("places.change_gppractice", draws_neighbourhoods)
