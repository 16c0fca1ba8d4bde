"""Uploaded files as people send them: what a file really is, and its size in words."""

# Checked by their first bytes: a name or a declared type says nothing.
IMAGE_SIGNATURES = (
    ("image/jpeg", ".jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/png", ".png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/webp", ".webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
)


def image_type(head: bytes) -> tuple[str, str] | None:
    """(content type, file extension) of a JPEG, PNG or WebP image from its first 12 bytes."""
    for content_type, extension, matches in IMAGE_SIGNATURES:
        if matches(head):
            return content_type, extension
    return None


def human_size(size: int) -> str:
    """A byte count as the technician reads it: 734 KB, 10.0 MB."""
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(size // 1024, 1)} KB"
