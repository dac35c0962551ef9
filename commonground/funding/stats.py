"""What `commonground stats --json` counts for funding."""

STATS_MODELS = {
    "funds": "funding.Fund",
    "applications": "funding.Application",
    "grants": "funding.Grant",
    "past_grants": "funding.PastGrant",
    "fundraising_bids": "funding.FundraisingBid",
}
