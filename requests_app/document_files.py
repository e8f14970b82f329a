"""The bytes of identity-document files (issue 12): what is accepted, and how it is kept.

Accepted: PDF, JPEG or PNG, recognised by their content (the first bytes, then a full parse of
images by Pillow), up to ``DOCUMENT_FILE_MAX_MB`` megabytes (default 10). A file whose name says
one type and whose content is another (a PNG named ``.exe``, a program named ``.png``) is refused.
Kept sealed (``privacyops.sealed_files``) in the ``documents`` storage under a random name that
carries nothing about the person; never under a URL. The records about a file
(``models.DocumentFile``) are written by ``services``.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils.translation import gettext

from privacyops import sealed_files

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: {".pdf"}, JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"}, PNG: {".png"}}
SUFFIX = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
# Active content a scanned copy never needs (keys and action types, as pypdf reads them with
# #xx escapes undone); a PDF carrying any of it is refused — links too: a scan has none.
PDF_ACTIVE = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/OpenAction",
        "/AA",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMedia",
        "/XFA",
        "/Sound",
        "/Movie",
        "/Rendition",
        "/URI",
        # Annotations that carry files or players, and embedded-file streams.
        "/FileAttachment",
        "/Screen",
        "/EF",
    }
)
PDF_MAX_OBJECTS = 20_000
# A scan of an A4 page at 600 dpi is 35 megapixels; larger images are refused before decoding.
IMAGE_MAX_PIXELS = 36_000_000


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: its type, its bytes, their size and SHA-256."""

    content_type: str
    data: bytes
    size: int
    sha256: str
    name: str = ""  # the file's own name as uploaded, without its folders (for an enclosure)


def max_bytes() -> int:
    return settings.DOCUMENT_FILE_MAX_MB * 1024 * 1024


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _refuse(message: str):
    raise ValidationError(message, code="document_file")


def check_upload(upload) -> CheckedFile:
    """Read and check an uploaded file (a Django ``UploadedFile``); raises ``ValidationError``
    with the reason in the user's language: empty, too large, not PDF/JPEG/PNG by content, a name
    that says another type, an image that does not parse (or is a decompression bomb), a PDF with
    active content or cut short."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        _refuse(
            gettext("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": settings.DOCUMENT_FILE_MAX_MB}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        _refuse(gettext("The file is larger than %(limit)s MB.") % {"limit": settings.DOCUMENT_FILE_MAX_MB})
    if not data:
        _refuse(gettext("The file is empty."))
    content_type = _sniff(data[:16])
    if content_type is None:
        _refuse(gettext("Only PDF, JPEG or PNG files are accepted (judged by the content, not the name)."))
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix and suffix not in EXTENSIONS[content_type]:
        _refuse(
            gettext("The file's name ends in “%(suffix)s” but it is a %(type)s file: check that it is the right file.")
            % {"suffix": suffix[:12], "type": SUFFIX[content_type].upper()}
        )
    if content_type == PDF:
        _check_pdf(data)
    else:
        _check_image(data, content_type)
    name = "".join(ch for ch in PurePath((upload.name or "").replace("\\", "/")).name if ch.isprintable())[:200]
    return CheckedFile(content_type, data, len(data), hashlib.sha256(data).hexdigest(), name)


def _pdf_active_refused() -> str:
    return gettext("The PDF file contains scripts, actions, links or attached files: print it to a plain PDF first.")


def _check_pdf(data: bytes) -> None:
    """Parse the PDF (pypdf: names unescaped, object streams opened) and refuse active content
    anywhere in it: scripts, actions run on opening, launch, embedded files, forms that submit,
    rich media. A file pypdf cannot read as a PDF is refused as damaged."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    if b"%%EOF" not in data[-2048:]:
        _refuse(gettext("The PDF file is incomplete (cut short in the transfer?)."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _refuse(gettext("The PDF file is password-protected: ask for a copy without a password."))
        pending = [reader.trailer]
        for page in reader.pages:
            pending.append(page)
        seen: set[int] = set()
        visited = 0
        while pending:
            item = pending.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                item = item.get_object()
            visited += 1
            if visited > PDF_MAX_OBJECTS:
                _refuse(gettext("The PDF file is too complex to be a scanned document."))
            if isinstance(item, NameObject) and item in PDF_ACTIVE:
                _refuse(_pdf_active_refused())  # a key's value, direct or behind a reference
            if isinstance(item, DictionaryObject):
                for name, value in item.items():
                    if name in PDF_ACTIVE:
                        _refuse(_pdf_active_refused())
                    pending.append(value)
            elif isinstance(item, ArrayObject):
                pending.extend(item)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError):
        _refuse(gettext("The PDF file is damaged and cannot be read."))


def _check_image(data: bytes, content_type: str) -> None:
    """Parse the image with Pillow: the right format, at most ``IMAGE_MAX_PIXELS`` (checked from
    the header, before any decoding), and complete (JPEG decoded at 1/8 scale, PNG in full)."""
    from PIL import Image

    expected = {JPEG: "JPEG", PNG: "PNG"}[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise ValueError(image.format)
                width, height = image.size
                if width * height > min(IMAGE_MAX_PIXELS, Image.MAX_IMAGE_PIXELS or IMAGE_MAX_PIXELS):
                    raise Image.DecompressionBombError(f"{width}x{height}")
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                if image.format == "JPEG":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()  # verify() does not decode the pixels; a truncated image fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(gettext("The image is too large in pixels to be a scanned document."))
    except Exception:  # Pillow raises many kinds for a damaged image
        _refuse(gettext("The image file is damaged or incomplete."))


def storage():
    return storages["documents"]


def store(checked: CheckedFile) -> str:
    """Seal and write the file under a new random name; returns the name."""
    from django.core.files.base import ContentFile

    name = f"{secrets.token_hex(16)}.sealed"
    return storage().save(name, ContentFile(sealed_files.seal(checked.data)))


def read(storage_name: str) -> bytes:
    """The plain bytes of a stored file (``SealBroken``, ``FileNotFoundError``)."""
    with storage().open(storage_name, "rb") as handle:
        return sealed_files.unseal(handle.read())


def erase(storage_name: str) -> None:
    """Delete a stored file (no error if it is already gone)."""
    if storage_name:
        storage().delete(storage_name)


def rotate(storage_name: str, *, dry_run: bool = False) -> bool:
    """Re-seal a stored file under the newest key; returns False when it already was. With
    ``dry_run``, only says whether it would (the file must still open with some key)."""
    files = storage()
    with files.open(storage_name, "rb") as handle:
        token = handle.read()
    if sealed_files.is_sealed_by_newest(token):
        return False
    if dry_run:
        sealed_files.unseal(token)  # SealBroken when no configured key opens it
        return True
    resealed = sealed_files.reseal(token)
    try:
        path = files.path(storage_name)
    except NotImplementedError:  # object storage: replace the object
        from django.core.files.base import ContentFile

        files.delete(storage_name)
        files.save(storage_name, ContentFile(resealed))
        return True
    # Written beside, then swapped in: a crash leaves either the old or the new sealed file.
    temporary = f"{path}.rotating"
    with open(temporary, "wb") as handle:
        handle.write(resealed)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return True
