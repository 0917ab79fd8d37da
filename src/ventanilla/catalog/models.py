"""The administration's structure and what it offers: agencies, channels, life events, services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.i18n import localized
from ventanilla.core.models import BaseModel


class Agency(BaseModel):
    """A node of the administration tree: administration -> agency -> department."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("Administration")
        AGENCY = "agency", _("Agency")
        DEPARTMENT = "department", _("Department")

    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name_es = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes ("ayto/urbanismo"): one indexed range query finds a subtree.
    path = models.CharField(max_length=400, unique=True, editable=False)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Channel(models.Model):
    """A way a contact reaches the administration (web portal, kiosk, email, phone, desk, API)."""

    code = models.SlugField(max_length=20, primary_key=True)
    name_es = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    assisted = models.BooleanField(
        default=False, help_text=_("A member of staff takes part (phone, desk).")
    )

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class LifeEvent(BaseModel):
    """A moment in a citizen's or a business's life that groups the services it needs."""

    class Kind(models.TextChoices):
        LIFE = "life", _("Life event")
        BUSINESS = "business", _("Business event")

    code = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LIFE)
    name_es = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_es = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class PublicService(BaseModel):
    """A public service as the EU CPSV-AP vocabulary describes it (first cut)."""

    code = models.SlugField(max_length=60, unique=True)
    name_es = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_es = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    competent_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="competent_services"
    )
    department = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_services")
    channels = models.ManyToManyField(Channel, related_name="services", blank=True)
    life_events = models.ManyToManyField(LifeEvent, related_name="services", blank=True)
    deadline_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("Processing time in working days.")
    )
    input_schema = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("public service")
        verbose_name_plural = _("public services")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")
