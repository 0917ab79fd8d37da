"""The demo citizen ``ventanilla demo`` names, so that a visitor can try the portal's sign-in:
an adult of the synthetic town with a DNI and an email address, given one consent to withdraw."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from ventanilla.access.actors import actor_for_citizen
from ventanilla.consent.models import Consent
from ventanilla.consent.services import consent_give
from ventanilla.parties.models import ContactPoint, Identifier, Party


@dataclass(frozen=True)
class DemoCitizen:
    name: str
    dni: str
    email: str


def demo_citizen() -> DemoCitizen | None:
    """The same person for the same seed; None when the town has nobody suitable."""
    today = timezone.localdate()
    adult = today.replace(year=today.year - 18, day=min(today.day, 28))
    contact = (
        ContactPoint.objects.filter(
            kind=ContactPoint.Kind.EMAIL,
            valid_until__isnull=True,
            party__status=Party.Status.ACTIVE,
            party__kind=Party.Kind.PERSON,
            party__birth_date__lte=adult,
            party__identifiers__scheme=Identifier.Scheme.DNI,
        )
        .select_related("party")
        .order_by("party__sort_name", "party_id")
        .first()
    )
    if contact is None:
        return None
    party = contact.party
    dni = party.identifiers.filter(scheme=Identifier.Scheme.DNI).values_list("value", flat=True)
    if not Consent.objects.filter(party=party).exists():
        # Given by the person in the portal, as only the person can.
        consent_give(
            actor=actor_for_citizen(party),
            purpose="Ayuda al alquiler: comprobar ingresos con Hacienda",
            recipient_code="servicios-sociales",
            data_categories=["income", "address"],
        )
    return DemoCitizen(name=party.display_name, dni=str(dni.first()), email=contact.value)
