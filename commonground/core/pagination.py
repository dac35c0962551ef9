"""The API's one way of paging through a list, with bounds a database can always honour.

django-ninja's own limit/offset pagination accepts any limit and any offset: a limit of a billion
returns a whole table in one response, and an offset past the database's integer range is a server
error. Every list in the API pages with this class instead.
"""

from __future__ import annotations

from ninja import Field
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

MAX_LIMIT = 1000
# Far beyond the largest table (2.5 million conversations nationally) and far inside a 64-bit integer.
MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(NinjaLimitOffsetPagination.Input):
        limit: int = Field(
            100, ge=1, le=MAX_LIMIT, description="How many to return (at most 1,000)."
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many to skip.")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
