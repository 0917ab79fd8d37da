"""Parties: the citizens and organisations the administration serves, with the paper's profile
data (who they are), their identifiers and contact points, and who may act for whom."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The kinds of personal data are the catalogue's words (a service declares those it processes);
# they are named here too, where most of their readers look for them.
from ventanilla.catalog.models import SPECIAL_CATEGORIES as SPECIAL_CATEGORIES
from ventanilla.catalog.models import Agency
from ventanilla.catalog.models import DataCategory as DataCategory
from ventanilla.core import dates
from ventanilla.core.models import BaseModel


class Party(BaseModel):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        # The one party every report without a reporter is recorded on (a service that takes
        # anonymous reports): it has no name, contact or identifier, and nobody can give it any.
        ANONYMOUS = "anonymous", _("Anonymous reporter")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MERGED = "merged", _("Merged")
        ERASED = "erased", _("Erased")

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Other / not stated")

    class Education(models.TextChoices):
        NONE = "none", _("No formal education")
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        VOCATIONAL = "vocational", _("Vocational training")
        UNIVERSITY = "university", _("University")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_parties"
    )
    # Profile data (paper: "datos de perfil").
    given_name = models.CharField(max_length=100, blank=True)
    family_name_1 = models.CharField(max_length=100, blank=True)
    family_name_2 = models.CharField(max_length=100, blank=True)
    legal_name = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField(null=True, blank=True, validators=[dates.validate_birth_date])
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    preferred_language = models.CharField(max_length=8, default="es")
    education_level = models.CharField(max_length=20, choices=Education.choices, blank=True)
    accessibility_needs = models.JSONField(default=list, blank=True)
    # Derived, for ordering lists: folded "family1 family2 given" or the legal name.
    sort_name = models.CharField(max_length=300, db_index=True, editable=False)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        indexes = [
            # The warehouse's refresh reads the rows changed since its last build.
            models.Index(fields=["updated_at"], name="party_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="party_merged_has_target",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="organisation", legal_name__gt="")
                | models.Q(kind="person", given_name__gt="", family_name_1__gt="")
                | models.Q(kind="anonymous"),
                name="party_has_a_name",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="anonymous"), name="party_one_anonymous"
            ),
            models.CheckConstraint(
                condition=dates.birth_date_storable("birth_date"), name="party_birth_date_plausible"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANISATION:
            return self.legal_name
        if self.kind == self.Kind.ANONYMOUS:
            return gettext("Anonymous reporter")
        return " ".join(p for p in (self.given_name, self.family_name_1, self.family_name_2) if p)


class NameToken(models.Model):
    """One folded word of a party's name: the index behind accent-insensitive search."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="name_tokens")
    token = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "party"], name="name_token_unique")]

    def __str__(self) -> str:
        return self.token


class PartyKey(models.Model):
    """One key a person may be found by when someone registers them again: the sound of their
    names with each other and with the birth date (``parties.matchkeys``)."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "party"], name="party_key_unique")]

    def __str__(self) -> str:
        return self.key


class Identifier(BaseModel):
    class Scheme(models.TextChoices):
        DNI = "dni", _("DNI")
        NIE = "nie", _("NIE")
        NIF = "nif", _("NIF")
        CIF = "cif", _("CIF")
        PASSPORT = "passport", _("Passport")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=10, choices=Scheme.choices)
    value = models.CharField(max_length=40, help_text=_("Normalised: upper case, no separators."))
    issuing_country = models.CharField(max_length=2, default="ES")
    verified = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "issuing_country", "value"], name="identifier_unique_value"
            )
        ]
        indexes = [models.Index(fields=["value"], name="identifier_value_idx")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class ContactPoint(BaseModel):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        POSTAL = "postal", _("Postal address")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=300, help_text=_("As shown to people."))
    # Email lower-cased, phone in E.164, address folded: what search compares against.
    normalized = models.CharField(max_length=300)
    postal_code = models.CharField(max_length=10, blank=True)
    municipality = models.CharField(max_length=100, blank=True)
    district = models.CharField(max_length=100, blank=True)
    preferred = models.BooleanField(default=False)
    valid_until = models.DateField(null=True, blank=True, validators=[dates.validate_end])

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        indexes = [
            models.Index(fields=["kind", "normalized"], name="contact_point_lookup_idx"),
            # The warehouse's refresh reads the rows changed since its last build.
            models.Index(fields=["updated_at"], name="contact_point_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=dates.end_storable("valid_until"), name="contact_point_until_plausible"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ProfileAttribute(BaseModel):
    """A further fact about a party, with how sensitive it is (health, income, disability...)."""

    class Sensitivity(models.TextChoices):
        PUBLIC = "public", _("Public")
        PERSONAL = "personal", _("Personal")
        SENSITIVE = "sensitive", _("Sensitive")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="attributes")
    name = models.SlugField(max_length=60)
    value = models.JSONField()
    sensitivity = models.CharField(
        max_length=10, choices=Sensitivity.choices, default=Sensitivity.PERSONAL
    )
    category = models.CharField(
        max_length=20, choices=DataCategory.choices, default=DataCategory.IDENTITY
    )
    # The agency that holds the fact: another agency sees it only through a sharing request.
    source_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("profile attribute")
        verbose_name_plural = _("profile attributes")
        constraints = [
            models.UniqueConstraint(fields=["party", "name"], name="profile_attribute_unique")
        ]


class Representation(BaseModel):
    """One party acting for another: a parent for a child, a lawyer, a company's representative."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("Parent or guardian")
        LEGAL_GUARDIAN = "legal_guardian", _("Court-appointed guardian")
        LAWYER = "lawyer", _("Lawyer")
        COMPANY_REPRESENTATIVE = "company_representative", _("Company representative")
        AUTHORISED_PERSON = "authorised_person", _("Authorised person")

    representative = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="represents")
    represented = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="represented_by")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Service codes the representation covers; empty means every service.
    scope = models.JSONField(default=list, blank=True)
    valid_from = models.DateField(validators=[dates.validate_end])
    valid_until = models.DateField(null=True, blank=True, validators=[dates.validate_end])
    evidence = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("representation")
        verbose_name_plural = _("representations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(representative=models.F("represented")),
                name="representation_not_self",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="representation_valid_range",
            ),
            models.CheckConstraint(
                condition=dates.end_storable("valid_from") & dates.end_storable("valid_until"),
                name="representation_dates_plausible",
            ),
        ]


class ProfileChange(models.Model):
    """One rectified field of a party's profile: what it was, what it became, who changed it.
    Kept apart from the append-only audit log so that erasure can remove the old values too."""

    id = models.BigAutoField(primary_key=True)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField()
    changed_by = models.CharField(max_length=150)
    field = models.CharField(max_length=40)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        indexes = [models.Index(fields=["party", "-id"], name="profile_change_party_idx")]

    def __str__(self) -> str:
        return f"{self.field} @ {self.changed_at:%Y-%m-%d}"


class PortalSignInToken(BaseModel):
    """A one-time link that signs a citizen in to the portal. Only the SHA-256 of the secret is
    kept: the secret is 256 random bits, so a slow hash would protect nothing more."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="sign_in_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal sign-in link")
        verbose_name_plural = _("portal sign-in links")
        indexes = [models.Index(fields=["party", "expires_at"], name="signin_token_party_idx")]

    def __str__(self) -> str:
        return f"sign-in link of {self.party_id} until {self.expires_at:%Y-%m-%d %H:%M}"
