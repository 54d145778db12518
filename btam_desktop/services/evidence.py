"""Which files the vault keeps as evidence, recognised by their first bytes, not their name."""

from __future__ import annotations

from dataclasses import dataclass

from btam_desktop.store.errors import ValidationError
from btam_desktop.store.text_check import problem_in

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),  # .docx / .xlsx are zip containers
    # Audio: a voicemail or a recorded call is common evidence.
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"#!AMR", "audio/amr"),
]
_MPEG_FRAME_STARTS = (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
_MP4_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"isom", b"3gp4", b"3gp5", b"3gp6")
_TEXT_SUFFIXES = (".txt", ".eml", ".csv", ".md")
_OFFICE_SUFFIXES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ACCEPTED_TYPES_TEXT = (
    "images (PNG, JPEG, GIF, WebP), audio (MP3, WAV, M4A, OGG, FLAC, AMR), PDF, Word or Excel "
    "documents, or plain text"
)


def detect_media_type(file_name: str, data: bytes) -> str | None:
    """The media type if the content is one the vault accepts, else None."""
    lower = file_name.lower()
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            if media_type == "application/zip":
                return next((t for s, t in _OFFICE_SUFFIXES.items() if lower.endswith(s)), None)
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if (
        data[4:8] == b"ftyp"
        and data[8:12] in _MP4_AUDIO_BRANDS
        and lower.endswith((".m4a", ".m4b", ".mp4", ".3gp", ".aac"))
    ):
        return "audio/mp4"
    if data[:2] in _MPEG_FRAME_STARTS and lower.endswith(".mp3"):
        return "audio/mpeg"
    if lower.endswith(_TEXT_SUFFIXES):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


@dataclass
class EvidenceFile:
    """A file to keep with a record: a screenshot, a voicemail, a photo of a wall."""

    file_name: str
    data: bytes
    description: str = ""

    @property
    def name(self) -> str:
        return self.file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()

    def checked_media_type(self) -> str:
        """The media type, or a ValidationError that says what to do."""
        name = self.name
        if problem_in(name):  # before any message repeats the name
            raise ValidationError(
                "The file's name cannot be stored: it contains characters that are not valid "
                "text (it was probably named on another kind of computer). Rename the file, "
                "then attach it again."
            )
        if not self.data:
            raise ValidationError(f"“{name}” is empty. Choose the file again.")
        if len(self.data) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                f"“{name}” is {len(self.data) / 1_048_576:.1f} MB; the limit is "
                f"{MAX_ATTACHMENT_BYTES // 1_048_576} MB. Save a smaller copy (e.g. crop a "
                "screenshot) and attach that."
            )
        media_type = detect_media_type(name, self.data)
        if media_type is None:
            raise ValidationError(
                f"“{name}” is not a type BTAM keeps. Attach {ACCEPTED_TYPES_TEXT}."
            )
        return media_type
