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

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    name_es = models.CharField(max_length=200, verbose_name=_("name in Spanish"))
    name_en = models.CharField(max_length=200, blank=True, verbose_name=_("name in English"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Materialised path of codes ("ayto/urbanismo"): one indexed range query finds a subtree.
    path = models.CharField(max_length=400, unique=True, editable=False, verbose_name=_("path"))

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

    code = models.SlugField(max_length=20, primary_key=True, verbose_name=_("code"))
    name_es = models.CharField(max_length=100, verbose_name=_("name in Spanish"))
    name_en = models.CharField(max_length=100, verbose_name=_("name in English"))
    assisted = models.BooleanField(
        default=False,
        help_text=_("A member of staff takes part (phone, desk)."),
        verbose_name=_("assisted"),
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

    code = models.SlugField(max_length=60, unique=True, verbose_name=_("code"))
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.LIFE, verbose_name=_("kind")
    )
    name_es = models.CharField(max_length=200, verbose_name=_("name in Spanish"))
    name_en = models.CharField(max_length=200, verbose_name=_("name in English"))
    description_es = models.TextField(blank=True, verbose_name=_("description in Spanish"))
    description_en = models.TextField(blank=True, verbose_name=_("description in English"))
    # Where the event stands on the portal: curated by the catalogue's editors, in the order of a
    # life (birth, school, work, home, family, retirement, death), never by the internal code.
    position = models.PositiveSmallIntegerField(
        default=1000,
        verbose_name=_("position"),
        help_text=_("Order on the portal: lower numbers first; equal numbers by name."),
    )

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["kind", "position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class DataCategory(models.TextChoices):
    """Kinds of personal data, the unit in which consents share and retention rules keep."""

    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    ADDRESS = "address", _("Address")
    FAMILY = "family", _("Family")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    INCOME = "income", _("Income")
    HEALTH = "health", _("Health")
    DISABILITY = "disability", _("Disability")
    CASES = "cases", _("Cases and contact history")


# Special categories (GDPR art. 9): shared only with the person's consent, never on the strength
# of an administration's general legal basis alone.
SPECIAL_CATEGORIES = frozenset({DataCategory.HEALTH, DataCategory.DISABILITY})


class PublicService(BaseModel):
    """A public service as the EU CPSV-AP vocabulary describes it: what it is, who is competent,
    through which channels, how long it takes, what it costs, what the citizen brings (evidence)
    and what they get (output). ``input_schema`` (JSON Schema) is the request form: the portal
    renders it, the API validates against it and Open311 describes it as service attributes."""

    code = models.SlugField(max_length=60, unique=True, verbose_name=_("code"))
    name_es = models.CharField(max_length=200, verbose_name=_("name in Spanish"))
    name_en = models.CharField(max_length=200, verbose_name=_("name in English"))
    description_es = models.TextField(blank=True, verbose_name=_("description in Spanish"))
    description_en = models.TextField(blank=True, verbose_name=_("description in English"))
    competent_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="competent_services",
        verbose_name=_("competent agency"),
    )
    # The department that handles a request when no routing rule says otherwise; empty means the
    # routing rules decide and, when none matches, the triage queue.
    department = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_services",
        verbose_name=_("department"),
    )
    channels = models.ManyToManyField(
        Channel, related_name="services", blank=True, verbose_name=_("channels")
    )
    life_events = models.ManyToManyField(
        LifeEvent, related_name="services", blank=True, verbose_name=_("life events")
    )
    deadline_days = models.PositiveSmallIntegerField(
        default=30,
        help_text=_("Processing time in working days."),
        verbose_name=_("deadline in working days"),
    )
    input_schema = models.JSONField(default=dict, blank=True, verbose_name=_("form (JSON Schema)"))
    cost_es = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("What it costs, in words."),
        verbose_name=_("cost in Spanish"),
    )
    cost_en = models.CharField(max_length=200, blank=True, verbose_name=_("cost in English"))
    cost_amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In euros; empty if free."),
        verbose_name=_("cost in euros"),
    )
    output_es = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("What the citizen gets."),
        verbose_name=_("result in Spanish"),
    )
    output_en = models.CharField(max_length=300, blank=True, verbose_name=_("result in English"))
    # Required inputs (CPSV-AP "Evidence"): [{"code": ..., "name_es": ..., "name_en": ...}].
    evidence = models.JSONField(default=list, blank=True, verbose_name=_("documents asked for"))
    # What personal data handling a request needs (CPSV-AP leaves room for such extensions): an
    # open case opens only the sensitive facts of these categories to the staff who handle it.
    data_categories = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Kinds of personal data a request needs, e.g. health for a disability card."),
        verbose_name=_("kinds of personal data"),
    )
    reopen_if_unhappy = models.BooleanField(
        default=False,
        help_text=_("A satisfaction answer of 1 or 2 reopens the closed case."),
        verbose_name=_("reopen if the citizen is unhappy"),
    )
    anonymous_reports = models.BooleanField(
        default=False,
        help_text=_(
            "A report may come without the reporter's name or email (through Open311): it is "
            "recorded on the anonymous reporter."
        ),
        verbose_name=_("takes anonymous reports"),
    )
    active = models.BooleanField(default=True, verbose_name=_("in use"))

    class Meta:
        verbose_name = _("public service")
        verbose_name_plural = _("public services")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Holiday(models.Model):
    """A day off in an administration's calendar; it applies to that agency and all below it, so
    national, regional and local holidays combine along the tree."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("agency")
    )
    date = models.DateField(verbose_name=_("date"))
    name_es = models.CharField(max_length=200, verbose_name=_("name in Spanish"))
    name_en = models.CharField(max_length=200, blank=True, verbose_name=_("name in English"))

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "date"], name="holiday_once_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {localized(self, 'name')}"


class KnowledgeArticle(BaseModel):
    """An answer or a procedure front-line staff can give without escalating, linked to services."""

    code = models.SlugField(max_length=80, unique=True)
    title_es = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    body_es = models.TextField(max_length=20000)
    body_en = models.TextField(max_length=20000, blank=True)
    keywords = models.CharField(max_length=300, blank=True)
    services = models.ManyToManyField(PublicService, related_name="articles", blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")
