"""Notices and news an agency publishes for a district or the whole town, in both languages,
within a publication window; the email subscriptions to them by topic and district; and the
record of each notice sent to each subscriber, so that none is sent twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency
from ventanilla.core.i18n import localized
from ventanilla.core.models import BaseModel
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import Party


class Topic(models.TextChoices):
    """A short fixed list a citizen can choose from at a glance; the catalogue's life events are
    about one's own procedures, not about what happens in the street."""

    WORKS = "works", _("Works and traffic")
    ENVIRONMENT = "environment", _("Environment and waste")
    CULTURE = "culture", _("Culture and sport")
    SOCIAL = "social", _("Social services")
    TAXES = "taxes", _("Taxes and fees")
    SAFETY = "safety", _("Safety and emergencies")
    OFFICES = "offices", _("Offices and opening hours")
    GENERAL = "general", _("General")


class Notice(BaseModel):
    """What an agency tells the public. Without ``publish_from`` it is a draft; it is shown from
    ``publish_from`` until ``publish_until`` (for ever when that is empty)."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice")
        NEWS = "news", _("News")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="notices", verbose_name=_("agency")
    )
    # Empty: the whole municipality. Districts are free text across Ventanilla (routing rules,
    # addresses); they are compared without regard to case.
    district = models.CharField(max_length=100, blank=True, verbose_name=_("district"))
    topic = models.CharField(max_length=20, choices=Topic.choices, verbose_name=_("topic"))
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.NOTICE, verbose_name=_("kind")
    )
    title_es = models.CharField(max_length=200, verbose_name=_("title in Spanish"))
    title_en = models.CharField(max_length=200, blank=True, verbose_name=_("title in English"))
    body_es = models.TextField(max_length=6000, verbose_name=_("text in Spanish"))
    body_en = models.TextField(max_length=6000, blank=True, verbose_name=_("text in English"))
    publish_from = models.DateTimeField(null=True, blank=True, verbose_name=_("published from"))
    publish_until = models.DateTimeField(null=True, blank=True, verbose_name=_("published until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_label = models.CharField(max_length=150, verbose_name=_("created by"))
    # When its subscribers' emails were written to the outbox: set once, never again.
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-publish_from", "-created_at"]
        indexes = [models.Index(fields=["publish_from", "publish_until"], name="notice_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(publish_until__isnull=True)
                | Q(publish_from__isnull=False, publish_until__gt=models.F("publish_from")),
                name="notice_window_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title_es

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")

    def is_published(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return (
            self.publish_from is not None
            and self.publish_from <= moment  # type: ignore[operator]
            and (self.publish_until is None or self.publish_until > moment)  # type: ignore[operator]
        )


class Subscription(BaseModel):
    """An address that receives the notices of one topic (or all) in one district (or all). A
    signed-in citizen's is on their party and confirmed at once; one made without signing in
    waits for the emailed link to be followed. Cancelled ones are kept, marked."""

    email = models.EmailField(max_length=254, verbose_name=_("email"))
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notice_subscriptions",
        verbose_name=_("party"),
    )
    language = models.CharField(
        max_length=2,
        choices=[("es", "Español"), ("en", "English")],
        default="es",
        verbose_name=_("language"),
    )
    topic = models.CharField(
        max_length=20, choices=Topic.choices, blank=True, verbose_name=_("topic")
    )
    district = models.CharField(max_length=100, blank=True, verbose_name=_("district"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "topic", "district"],
                condition=Q(cancelled_at__isnull=True),
                name="subscription_one_live_per_address",
            )
        ]
        indexes = [models.Index(fields=["topic", "district"], name="subscription_match")]

    def __str__(self) -> str:
        return f"{self.email} ({self.topic or '*'}, {self.district or '*'})"


class NoticeDelivery(BaseModel):
    """One notice written to the outbox for one subscription: the unique pair is what keeps a
    second run of the job from sending it again."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notice")
    )
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    notification = models.ForeignKey(
        Notification,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message"),
    )

    class Meta:
        verbose_name = _("notice sent")
        verbose_name_plural = _("notices sent")
        constraints = [
            models.UniqueConstraint(fields=["notice", "subscription"], name="notice_delivery_once")
        ]
