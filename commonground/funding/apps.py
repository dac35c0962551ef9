from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "commonground.funding"
    label = "funding"
    verbose_name = "Funding"
