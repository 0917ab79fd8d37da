"""The one check every document a person hands over passes before it is kept: its size, what its
bytes really are, and whether its name says the same; the errors speak the user's language."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from ventanilla.core import filetypes
from ventanilla.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed


@dataclass(frozen=True)
class CheckedDocument:
    name: str
    data: bytes
    content_type: str
    sha256: str


def checked_document(
    *, file_name: str, content: IO[bytes], size: int, field: str = "file"
) -> CheckedDocument:
    """Read at most the upload limit and accept only the kinds of document Ventanilla keeps,
    under a name whose extension says what the content is."""
    limit = settings.VENTANILLA_MAX_UPLOAD_BYTES
    if size > limit:
        raise PayloadTooLarge(_("Send at most %d bytes.") % limit, field=field)
    data = content.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(_("Send at most %d bytes.") % limit, field=field)
    if not data:
        raise ValidationFailed({field: _("The file is empty.")})
    name = filetypes.clean_file_name(file_name)
    detected = filetypes.detect(data)
    if detected.content_type is None:
        raise UnsupportedMediaType(
            _("The content is %(seen)s, which is not accepted. Send one of: %(accepted)s.")
            % {
                "seen": detected.description,
                "accepted": _(
                    "PDF, PNG, JPEG, plain text (.txt), OpenDocument text (.odt), Word (.docx)"
                ),
            },
            field=field,
        )
    extension = filetypes.extension_of(name)
    if extension not in filetypes.ACCEPTED[detected.content_type]:
        raise ValidationFailed(
            {
                field: _(
                    "The name ends in '.%(extension)s' but the content is %(seen)s: "
                    "name the file after what it is."
                )
                % {"extension": extension, "seen": detected.description}
            }
        )
    return CheckedDocument(
        name=name,
        data=data,
        content_type=detected.content_type,
        sha256=hashlib.sha256(data).hexdigest(),
    )
