from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commonground.core.models import TimeStampedModel

# The IoD2019 domains, in the order MHCLG publishes them. ``label`` is what people read.
DOMAINS: list[tuple[str, str]] = [
    ("income", _("Income")),
    ("employment", _("Employment")),
    ("education", _("Education, skills and training")),
    ("health", _("Health deprivation and disability")),
    ("crime", _("Crime")),
    ("barriers", _("Barriers to housing and services")),
    ("living_env", _("Living environment")),
]
SUPPLEMENTARY = [
    ("idaci", _("Income deprivation affecting children")),
    ("idaopi", _("Income deprivation affecting older people")),
]


class LocalAuthority(TimeStampedModel):
    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    boundary = models.TextField(blank=True, help_text=_("GeoJSON geometry, WGS84."))
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("local authorities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:authority_detail", kwargs={"code": self.code})


class Ward(TimeStampedModel):
    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="wards")
    boundary = models.TextField(blank=True, help_text=_("GeoJSON geometry, WGS84."))
    boundary_source = models.CharField(
        max_length=40,
        blank=True,
        help_text=_(
            "Where the boundary comes from: the council's ward polygons, or the union of the ward's LSOAs."
        ),
    )
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:ward_detail", kwargs={"code": self.code})


class Lsoa(TimeStampedModel):
    """A 2011 Lower-layer Super Output Area with its published population and deprivation."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="lsoas")
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="lsoas"
    )
    population = models.PositiveIntegerField(_("population (mid-2017)"), null=True, blank=True)
    imd_rank = models.PositiveIntegerField(
        _("IMD 2019 rank"), help_text=_("1 is the most deprived of 32,844.")
    )
    imd_decile = models.PositiveSmallIntegerField(
        _("IMD 2019 decile"), help_text=_("1 is the most deprived tenth.")
    )
    imd_score = models.FloatField(_("IMD 2019 score (derived)"))
    income_rank = models.PositiveIntegerField()
    income_decile = models.PositiveSmallIntegerField()
    employment_rank = models.PositiveIntegerField()
    employment_decile = models.PositiveSmallIntegerField()
    education_rank = models.PositiveIntegerField()
    education_decile = models.PositiveSmallIntegerField()
    health_rank = models.PositiveIntegerField()
    health_decile = models.PositiveSmallIntegerField()
    crime_rank = models.PositiveIntegerField()
    crime_decile = models.PositiveSmallIntegerField()
    barriers_rank = models.PositiveIntegerField()
    barriers_decile = models.PositiveSmallIntegerField()
    living_env_rank = models.PositiveIntegerField()
    living_env_decile = models.PositiveSmallIntegerField()
    idaci_rank = models.PositiveIntegerField()
    idaci_decile = models.PositiveSmallIntegerField()
    idaopi_rank = models.PositiveIntegerField()
    idaopi_decile = models.PositiveSmallIntegerField()
    rural_urban_code = models.CharField(max_length=4, blank=True)
    rural_urban_class = models.CharField(max_length=80, blank=True)
    boundary = models.TextField(
        blank=True, help_text=_("GeoJSON geometry, WGS84; empty outside the loaded areas.")
    )
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    is_new_community = models.BooleanField(
        _("new or growing community"),
        default=False,
        help_text=_(
            "Marked where new housing is being built; used when choosing where organisers go."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("LSOA")
        indexes = [models.Index(fields=["authority", "imd_rank"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="lsoa_imd_decile_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("places:lsoa_detail", kwargs={"code": self.code})

    def domain_deciles(self) -> list[tuple[str, str, int, int]]:
        """(key, label, rank, decile) for each domain, for tables and charts."""
        return [
            (key, str(label), getattr(self, f"{key}_rank"), getattr(self, f"{key}_decile"))
            for key, label in DOMAINS + SUPPLEMENTARY
        ]


class Neighbourhood(TimeStampedModel):
    """A named set of LSOAs where people work together; one LSOA may belong to several."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="neighbourhoods"
    )
    lsoas = models.ManyToManyField(Lsoa, related_name="neighbourhoods")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:neighbourhood_detail", kwargs={"slug": self.slug})

    @property
    def population(self) -> int:
        if hasattr(self, "population_total"):
            return self.population_total or 0
        return self.lsoas.aggregate(total=Sum("population"))["total"] or 0


class GpPractice(TimeStampedModel):
    """A GP practice; those hosting community connectors weigh in choosing where organisers go."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=150)
    postcode = models.CharField(max_length=10, blank=True)
    authority = models.ForeignKey(
        LocalAuthority,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gp_practices",
    )
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lsoa = models.ForeignKey(
        Lsoa, null=True, blank=True, on_delete=models.SET_NULL, related_name="gp_practices"
    )
    is_active = models.BooleanField(default=True)
    has_community_connector = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("GP practice")

    def __str__(self) -> str:
        return self.name.title()
