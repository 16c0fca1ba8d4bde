"""Job photos: judged by their content, limited in size, kept through Django's storage."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from recovery.models import EventKind, JobPhoto
from tests.technician.conftest import API, iso

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
WEBP = b"RIFF\x00\x01\x00\x00WEBPVP8 " + b"\x00" * 200


def upload(
    phone, job, name: str, content: bytes, taken_at, declared: str = "image/jpeg", key: str | None = None
):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    photo = SimpleUploadedFile(name, content, content_type=declared)
    return phone.post(
        f"{API}/jobs/{job.pk}/photos/",
        {"file": photo, "taken_at": iso(taken_at)},
        format="multipart",
        **headers,
    )


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [(JPEG, "image/jpeg", ".jpg"), (PNG, "image/png", ".png"), (WEBP, "image/webp", ".webp")],
    ids=["jpeg", "png", "webp"],
)
def test_a_photo_is_stored_under_our_name_with_its_real_type(
    job, lucas_phone, luca, t0, content, content_type, extension
):
    # The phone calls every file "upload.bin" and claims octet-stream: only the bytes count.
    response = upload(
        lucas_phone, job, "upload.bin", content, t0 + timedelta(minutes=41), "application/octet-stream"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["content_type"], body["size"], body["taken_at"]) == (
        content_type,
        len(content),
        iso(t0 + timedelta(minutes=41)),
    )
    photo = JobPhoto.objects.get(pk=body["id"])
    assert photo.file.name.startswith("job-photos/") and photo.file.name.endswith(extension)
    assert "upload" not in photo.file.name
    with default_storage.open(photo.file.name, "rb") as stored:
        assert stored.read() == content
    assert photo.uploaded_by == luca.user
    assert job.timeline.get(kind=EventKind.PHOTO).data["photo_id"] == photo.pk
    assert lucas_phone.get(f"{API}/jobs/{job.pk}/photos/").json()["results"] == [body]


def test_a_file_that_is_not_a_photo_is_refused_whatever_its_name(job, lucas_phone, t0):
    response = upload(lucas_phone, job, "site.jpg", b"%PDF-1.7 not a photo at all", t0, "image/jpeg")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Send a JPEG, PNG or WebP photo; this file is none of those.",
        "code": "invalid",
    }
    assert not JobPhoto.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(job, lucas_phone, t0, settings):
    settings.PRONTO = {**settings.PRONTO, "PHOTO_MAX_BYTES": 1024 * 1024}

    response = upload(lucas_phone, job, "big.jpg", JPEG + b"\x00" * (1024 * 1024), t0)

    assert response.status_code == 400
    assert response.json()["detail"] == "The photo is 1.0 MB; the limit is 1.0 MB."
    assert not JobPhoto.objects.exists()


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(job, lucas_phone, t0, settings):
    settings.PRONTO = {**settings.PRONTO, "PHOTO_MAX_BYTES": 100 * 1024}

    response = upload(lucas_phone, job, "huge.jpg", JPEG + b"\x00" * (300 * 1024), t0)

    assert response.status_code == 400
    assert response.json()["detail"] == "file: The photo is larger than the 100 KB limit."


def test_a_photo_needs_a_file_and_its_time(job, lucas_phone):
    response = lucas_phone.post(f"{API}/jobs/{job.pk}/photos/", {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"].keys() == {"file", "taken_at"}


def test_a_retried_upload_keeps_one_photo(job, lucas_phone, t0):
    first = upload(lucas_phone, job, "a.jpg", JPEG, t0, key="photo-1")
    retry = upload(lucas_phone, job, "a.jpg", JPEG, t0, key="photo-1")

    assert retry.json() == first.json()
    assert JobPhoto.objects.count() == 1


def test_photos_are_sent_as_multipart_not_json(job, lucas_phone, t0):
    response = lucas_phone.post(f"{API}/jobs/{job.pk}/photos/", {"taken_at": iso(t0)}, format="json")

    assert response.status_code == 415
