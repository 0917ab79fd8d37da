"""The base every exposed record shares: a UUID key and creation/update timestamps; and the
model's own checks as the domain's error, for services given a record as a form leaves it."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models

from ventanilla.core.errors import ValidationFailed


class BaseModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def full_clean_or_refuse(record: models.Model) -> None:
    """Run the model's own checks (field limits, choices, unique values) on ``record``, raising
    what they find as a ``ValidationFailed`` keyed by field."""
    try:
        record.full_clean()
    except ValidationError as error:
        raise ValidationFailed(
            {field: " ".join(messages) for field, messages in error.message_dict.items()}
        ) from error
