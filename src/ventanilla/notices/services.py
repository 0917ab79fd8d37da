"""Every write of notices and subscriptions: staff writing and publishing a notice for their
agency, a citizen subscribing (at once when signed in; after following an emailed link when
not), unsubscribing by the signed link every message carries, and the delivery run that writes
each published notice to the outbox once for each matching subscriber."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.access.guards import refuse, require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.models import full_clean_or_refuse
from ventanilla.notices.models import Notice, NoticeDelivery, Subscription, Topic
from ventanilla.notifications.models import Medium, NotificationEvent
from ventanilla.notifications.outbox import addresses_of, language_of, notify_addresses
from ventanilla.parties.models import Party

logger = logging.getLogger("ventanilla.notices")

SYSTEM = Actor(label="system:notices", sees_everything=True)

# Signed tokens: the salt keeps a confirmation token from being used to unsubscribe and back.
CONFIRM_SALT = "ventanilla.notices.confirm"
UNSUBSCRIBE_SALT = "ventanilla.notices.unsubscribe"
CONFIRM_DAYS = 7


@dataclass(frozen=True)
class NoticeInput:
    agency_code: str
    topic: str
    kind: str
    title_es: str
    body_es: str
    title_en: str = ""
    body_en: str = ""
    district: str = ""
    publish_from: datetime | None = None
    publish_until: datetime | None = None


def _audit_notice(actor: Actor, notice: Notice, detail: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=Action.NOTICE_CHANGE,
        object_type="notice",
        object_id=notice.pk,
        detail=detail,
    )


def _audit_subscription(actor: Actor, subscription_id: Any, party_id: Any, change: str) -> None:
    """A subscription requested, confirmed, made or cancelled; on the person's disclosure log
    when the address is on their record."""
    audit_record(
        actor=actor,
        action=Action.SUBSCRIPTION_CHANGE,
        party_id=party_id,
        object_type="subscription",
        object_id=subscription_id,
        detail={"change": change},
    )


def _agency_for(actor: Actor, code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None or not actor.sees_agency(agency.pk):
        raise ValidationFailed({"agency": _("Choose one of your agencies.")})
    return agency


def _fill(notice: Notice, data: NoticeInput, agency: Agency) -> None:
    notice.agency = agency
    notice.topic = data.topic
    notice.kind = data.kind
    notice.title_es = data.title_es.strip()
    notice.title_en = data.title_en.strip()
    notice.body_es = data.body_es.strip()
    notice.body_en = data.body_en.strip()
    notice.district = " ".join(data.district.split())
    notice.publish_from = data.publish_from
    notice.publish_until = data.publish_until
    errors: dict[str, str] = {}
    if data.publish_until is not None:
        if data.publish_from is None:
            errors["publish_from"] = _("A notice with an end of publication needs a start.")
        elif data.publish_until <= data.publish_from:
            errors["publish_until"] = _("The end of publication must come after its start.")
    try:
        full_clean_or_refuse(notice)
    except ValidationFailed as failure:
        errors = failure.errors | errors
    if errors:
        raise ValidationFailed(errors)


def notice_create(*, actor: Actor, data: NoticeInput) -> Notice:
    """Write a notice for one of the actor's agencies: a draft without a publication start."""
    require(actor, Scope.CATALOG_MANAGE)
    agency = _agency_for(actor, data.agency_code)
    notice = Notice(
        created_by_id=actor.user_id,
        created_by_label=actor.label[:150],
    )
    _fill(notice, data, agency)
    with transaction.atomic():
        notice.save(force_insert=True)
        _audit_notice(
            actor, notice, {"agency": agency.code, "published": notice.publish_from is not None}
        )
    return notice


def notice_update(*, actor: Actor, notice_id: Any, data: NoticeInput) -> Notice:
    """Change a notice of one of the actor's agencies. One already sent to its subscribers
    keeps its start of publication: they were told of it then."""
    require(actor, Scope.CATALOG_MANAGE)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or not actor.sees_agency(notice.agency_id):
            if notice is not None:
                refuse(actor, detail={"notice": str(notice_id)})
            raise NotFound(_("No such notice."))
        agency = _agency_for(actor, data.agency_code)
        if notice.delivered_at is not None and data.publish_from != notice.publish_from:
            raise ValidationFailed(
                {
                    "publish_from": _(
                        "This notice was already sent to its subscribers; its start of "
                        "publication cannot change."
                    )
                }
            )
        _fill(notice, data, agency)
        notice.save()
        _audit_notice(
            actor, notice, {"agency": agency.code, "published": notice.publish_from is not None}
        )
    return notice


# Subscriptions ---------------------------------------------------------------------------------


def _clean_subscription(email: str, topic: str, district: str) -> tuple[str, str, str]:
    email = email.strip().lower()
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address.")
    if topic and topic not in Topic.values:
        errors["topic"] = _("Choose a topic from the list.")
    district = " ".join(district.split())
    if len(district) > 100:
        errors["district"] = _("A district name has at most 100 characters.")
    if errors:
        raise ValidationFailed(errors)
    return email, topic, district


def _live(email: str, topic: str, district: str) -> Subscription | None:
    return (
        Subscription.objects.filter(
            email=email, topic=topic, district__iexact=district, cancelled_at__isnull=True
        )
        .select_for_update()
        .first()
    )


def _public_url(path: str) -> str:
    return f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}{path}"


def confirm_link(subscription: Subscription) -> str:
    token = signing.dumps(str(subscription.pk), salt=CONFIRM_SALT)
    return _public_url(f"/portal/notices/subscriptions/confirm/{token}/")


def unsubscribe_link(subscription: Subscription) -> str:
    token = signing.dumps(str(subscription.pk), salt=UNSUBSCRIBE_SALT)
    return _public_url(f"/portal/notices/unsubscribe/{token}/")


def subscription_request(*, email: str, topic: str, district: str, language: str) -> Subscription:
    """Someone not signed in asks for the notices of ``topic`` in ``district`` at ``email``:
    nothing is sent there until the link emailed to that address is followed, so no one can
    subscribe another person's address. Asking again sends the link again."""
    email, topic, district = _clean_subscription(email, topic, district)
    language = language if language in ("es", "en") else "es"
    with transaction.atomic():
        subscription = _live(email, topic, district)
        if subscription is None:
            subscription = Subscription.objects.create(
                email=email, topic=topic, district=district, language=language
            )
        elif subscription.confirmed_at is not None:
            return subscription  # already receiving them: say nothing that reveals it
        with translation.override(language):
            subject = _("Confirm your subscription to notices")
            body = _(
                "Someone, probably you, asked to receive by email the notices about "
                "“%(topic)s” in “%(district)s”.\n\nTo confirm, follow this link within "
                "%(days)s days:\n%(link)s\n\nIf it was not you, ignore this message: nothing "
                "will be sent."
            ) % {
                "topic": Topic(topic).label if topic else _("all topics"),
                "district": district or _("all districts"),
                "days": CONFIRM_DAYS,
                "link": confirm_link(subscription),
            }
        notify_addresses(
            event=NotificationEvent.SUBSCRIPTION_CONFIRM,
            messages=[(None, email, language, subject, body, {})],
        )
        _audit_subscription(SYSTEM, subscription.pk, None, "requested")
    return subscription


def _by_link(subscription: Subscription) -> Actor:
    """Who acts when a link is followed: the person themself when the address is on their
    record (so it is no disclosure of their data), otherwise the address's anonymous holder."""
    if subscription.party is not None:
        return actor_for_citizen(subscription.party)
    return SYSTEM


def subscription_confirm(*, token: str) -> Subscription:
    """Follow the emailed link: the subscription starts receiving notices."""
    try:
        subscription_id = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 86400)
    except signing.BadSignature as bad:
        raise NotFound(_("This link is not valid or has expired. Subscribe again.")) from bad
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(pk=subscription_id, cancelled_at__isnull=True)
            .first()
        )
        if subscription is None:
            raise NotFound(_("This subscription was cancelled. Subscribe again."))
        if subscription.confirmed_at is None:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at", "updated_at"])
            _audit_subscription(
                _by_link(subscription), subscription.pk, subscription.party_id, "confirmed"
            )
    return subscription


def subscription_create_for_party(*, actor: Actor, topic: str, district: str) -> Subscription:
    """A signed-in citizen subscribes with the email address on their record: confirmed at once,
    since signing in proved the address is theirs."""
    if actor.party_id is None:
        refuse(actor, detail={"subscribe": "not a citizen"})
        raise AssertionError("refuse raises")
    party = Party.objects.get(pk=actor.party_id)
    email = addresses_of([party.pk], timezone.localdate()).get(party.pk, {}).get(Medium.EMAIL)
    if not email:
        raise ValidationFailed(
            {"email": _("Your record has no email address; add one at the office first.")}
        )
    email, topic, district = _clean_subscription(email, topic, district)
    with transaction.atomic():
        subscription = _live(email, topic, district)
        if subscription is not None:
            if subscription.confirmed_at is None or subscription.party_id is None:
                subscription.party = party
                subscription.confirmed_at = subscription.confirmed_at or timezone.now()
                subscription.save(update_fields=["party", "confirmed_at", "updated_at"])
            return subscription
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    email=email,
                    party=party,
                    topic=topic,
                    district=district,
                    language=language_of(party),
                    confirmed_at=timezone.now(),
                )
        except IntegrityError:  # the same one made at the same moment in another tab
            found = _live(email, topic, district)
            if found is None:
                raise
            return found
        _audit_subscription(actor, subscription.pk, party.pk, "subscribed")
    return subscription


def subscription_for_token(token: str) -> Subscription:
    """The subscription an unsubscribe link names (cancelled or not)."""
    try:
        subscription_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as bad:
        raise NotFound(_("This link is not valid.")) from bad
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(_("This link is not valid."))
    return subscription


def subscription_cancel(*, token: str) -> Subscription:
    """Unsubscribe by the signed link in every notice: no sign-in, one click (RFC 8058)."""
    subscription = subscription_for_token(token)
    with transaction.atomic():
        updated = Subscription.objects.filter(pk=subscription.pk, cancelled_at__isnull=True).update(
            cancelled_at=timezone.now(), updated_at=timezone.now()
        )
        if updated:
            _audit_subscription(
                _by_link(subscription), subscription.pk, subscription.party_id, "cancelled"
            )
    subscription.refresh_from_db()
    return subscription


def subscription_cancel_for_party(*, actor: Actor, subscription_id: Any) -> None:
    """A signed-in citizen stops one of their subscriptions from the portal."""
    if actor.party_id is None:
        refuse(actor, detail={"unsubscribe": "not a citizen"})
        return
    with transaction.atomic():
        updated = Subscription.objects.filter(
            pk=subscription_id, party_id=actor.party_id, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now(), updated_at=timezone.now())
        if not updated:
            raise NotFound(_("No such subscription."))
        _audit_subscription(actor, subscription_id, actor.party_id, "cancelled")


# Delivery -------------------------------------------------------------------------------------


def matching_subscriptions(notice: Notice) -> Any:
    """Live, confirmed subscriptions to the notice's topic (or to all) in its district (or in
    all); a notice for the whole town reaches every district's subscribers."""
    condition = Q(topic="") | Q(topic=notice.topic)
    if notice.district:
        condition &= Q(district="") | Q(district__iexact=notice.district)
    return Subscription.objects.filter(
        condition, confirmed_at__isnull=False, cancelled_at__isnull=True
    )


def _message_for(notice: Notice, subscription: Subscription) -> tuple[Any, ...]:
    link = unsubscribe_link(subscription)
    with translation.override(subscription.language):
        title = notice.title
        agency = notice.agency.name
        page = _public_url(f"/portal/notices/{notice.pk}/")
        body = _(
            "%(title)s\n%(agency)s\n\n%(body)s\n\nRead it on the website: %(page)s\n\n"
            "To stop receiving these notices, follow this link: %(link)s"
        ) % {"title": title, "agency": agency, "body": notice.body, "page": page, "link": link}
    headers = {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return (
        subscription.party,
        subscription.email,
        subscription.language,
        title,
        body,
        headers,
    )


def notice_deliver(*, notice_id: Any, now: datetime | None = None) -> int:
    """Write the notice to the outbox for each matching subscriber not yet sent it, and mark the
    notice sent. The notice row is locked, and each pair is recorded under a unique constraint,
    so two runs at once or one after the other send it once. Returns how many were written."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = Notice.objects.filter(pk=notice_id, delivered_at__isnull=True)
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        notice = rows.select_related("agency").first()
        if notice is None or not notice.is_published(now):
            return 0
        sent_already = NoticeDelivery.objects.filter(notice=notice).values("subscription_id")
        subscribers = list(
            matching_subscriptions(notice)
            .exclude(pk__in=sent_already)
            .select_related("party")
            .order_by("created_at")
        )
        written = notify_addresses(
            event=NotificationEvent.NOTICE,
            messages=[_message_for(notice, subscription) for subscription in subscribers],
        )
        NoticeDelivery.objects.bulk_create(
            [
                NoticeDelivery(notice=notice, subscription=subscription, notification=message)
                for subscription, message in zip(subscribers, written, strict=True)
            ]
        )
        notice.delivered_at = now
        notice.save(update_fields=["delivered_at", "updated_at"])
        _audit_notice(SYSTEM, notice, {"change": "sent", "subscribers": len(subscribers)})
    return len(subscribers)


def notices_deliver(*, now: datetime | None = None) -> dict[str, int]:
    """Deliver every notice whose publication has started and that was not sent yet (those whose
    window closed before the run came are marked sent to nobody: news past its date is noise)."""
    now = now or timezone.now()
    due = list(
        Notice.objects.filter(delivered_at__isnull=True, publish_from__lte=now)
        .order_by("publish_from")
        .values_list("pk", "publish_until")
    )
    notices = emails = expired = 0
    for notice_id, until in due:
        if until is not None and until <= now:
            expired += Notice.objects.filter(pk=notice_id, delivered_at__isnull=True).update(
                delivered_at=now
            )
            continue
        emails += notice_deliver(notice_id=notice_id, now=now)
        notices += 1
    return {"notices": notices, "emails": emails, "expired": expired}
