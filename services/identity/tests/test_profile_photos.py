"""Photo handling without the stack: what Pillow makes of uploads (formats, bombs, orientation, metadata),
the order rules, and both storages (the S3 one against moto's S3, the same calls boto3 makes to AWS)."""
from __future__ import annotations

import asyncio
import io
import struct
import zlib

import boto3
import pytest
from moto import mock_aws
from PIL import Image

from numeros_common.errors import AppError
from services.identity.profile import images, rules
from services.identity.profile.storage import LocalPhotoStorage, S3PhotoStorage, photo_storage
from services.identity.settings import IdentitySettings

RED, BLUE = (255, 0, 0), (0, 0, 255)
ORIENTATION, GPS_IFD = 0x0112, 0x8825


def two_colour_jpeg(width: int, height: int, *, orientation: int | None = None, gps: bool = False) -> bytes:
    """Left half red, right half blue; EXIF orientation and a GPS position when asked."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def png_bomb(side: int) -> bytes:
    """A valid 1-bit PNG of side x side pixels, all zero: a few hundred kB on the wire, built without ever
    holding the pixels in memory."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    compressed = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed) + chunk(b"IEND", b"")


def refused(data: bytes) -> AppError:
    with pytest.raises(AppError) as caught:
        images.prepare(data)
    assert caught.value.field == "file"
    return caught.value


def test_a_tagged_photo_comes_out_upright_and_without_any_metadata() -> None:
    prepared = images.prepare(two_colour_jpeg(400, 200, orientation=6, gps=True))  # 6: rotate 90° clockwise
    for data in (prepared.display, prepared.thumbnail):
        assert b"Exif" not in data and b"PhoneMaker" not in data
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {} and "exif" not in image.info and "icc_profile" not in image.info
        width, height = image.size
        assert height == 2 * width  # the wide stored image, turned upright, is tall
        image = image.convert("RGB")
        top, bottom = image.getpixel((width // 2, height // 8)), image.getpixel((width // 2, height * 7 // 8))
        assert top[0] > 200 and top[2] < 60  # the stored left (red) half is on top after a clockwise turn
        assert bottom[2] > 200 and bottom[0] < 60
    assert (prepared.width, prepared.height) == (200, 400)
    assert Image.open(io.BytesIO(prepared.thumbnail)).size == (160, 320)


def test_sizes_keep_the_aspect_ratio() -> None:
    prepared = images.prepare(two_colour_jpeg(3000, 2000))
    assert (prepared.width, prepared.height) == (1080, 720)
    assert Image.open(io.BytesIO(prepared.thumbnail)).size == (320, 213)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_transparency_becomes_white(fmt: str) -> None:
    image = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, fmt)
    prepared = images.prepare(out.getvalue())
    decoded = Image.open(io.BytesIO(prepared.display)).convert("RGB")
    assert decoded.size == (50, 40)
    assert min(decoded.getpixel((25, 20))) > 240


def test_not_an_image_or_another_format_is_refused() -> None:
    assert refused(b"%PDF-1.7 not a photo").code == "INVALID_IMAGE"
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert refused(gif.getvalue()).code == "INVALID_IMAGE"
    truncated = two_colour_jpeg(300, 300)[:400]
    assert refused(truncated).code == "INVALID_IMAGE"


def test_decompression_bombs_are_refused_before_decoding() -> None:
    bomb = png_bomb(20_000)  # 400 megapixels
    assert len(bomb) < 1_000_000
    error = refused(bomb)
    assert (error.status, error.code) == (422, "IMAGE_TOO_LARGE")
    assert refused(png_bomb(7_000)).code == "IMAGE_TOO_LARGE"  # 49 MP: under Pillow's own limit, over ours


def test_more_than_ten_megabytes_is_refused() -> None:
    error = refused(b"\xff" * (10_000_000 + 1))
    assert (error.status, error.code) == (413, "PAYLOAD_TOO_LARGE")


def test_order_rules() -> None:
    photos = [{"id": f"{c}" * 22, "width": 1, "height": 1} for c in "abc"]
    ids = [p["id"] for p in photos]
    assert [p["id"] for p in rules.reordered(photos, [ids[2], ids[0], ids[1]], "photo_ids")] == [ids[2], ids[0], ids[1]]
    assert [p["id"] for p in rules.reordered(photos, [rules.photo_url(i) for i in reversed(ids)], "photos")] == \
        list(reversed(ids))
    for order, status in (([ids[0], ids[0], ids[1]], 422), (ids[:2], 422), ([*ids[:2], "z" * 22], 404)):
        with pytest.raises(AppError) as caught:
            rules.reordered(photos, order, "photo_ids")
        assert (caught.value.status, caught.value.field) == (status, "photo_ids")
    with pytest.raises(AppError) as caught:
        rules.check_room(photos * 2)
    assert caught.value.code == "TOO_MANY_PHOTOS"


def test_a_new_birth_place_replaces_the_stored_location_whole() -> None:
    stored = {"birth_date": "1990-05-15", "birth_time": "14:30", "birth_place": "New York", "latitude": 40.7,
              "longitude": -74.0, "timezone": "America/New_York", "house_system": "koch"}
    merged = rules.merged_birth(stored, {"birth_place": "Berlin"})
    assert merged == {**stored, "birth_place": "Berlin", "latitude": None, "longitude": None, "timezone": None}
    assert rules.merged_birth(stored, {"birth_time": None}) == {**stored, "birth_time": None}


def test_keys_cannot_leave_the_folder() -> None:
    with pytest.raises(ValueError):
        rules.photo_key("../../etc/passwd", "display")
    with pytest.raises(ValueError):
        rules.photo_key("a" * 22, "original")
    assert rules.photo_key("a" * 22, "thumbnail") == f"{'a' * 22}/thumbnail.jpg"


def round_trip(storage) -> None:
    async def main() -> None:
        key, other = rules.photo_key("k" * 22, "display"), rules.photo_key("k" * 22, "thumbnail")
        assert await storage.get(key) is None
        await storage.put(key, b"jpeg bytes")
        await storage.put(other, b"thumb")
        assert await storage.get(key) == b"jpeg bytes"
        await storage.delete([key, other, rules.photo_key("n" * 22, "display")])  # a missing key is no error
        assert await storage.get(key) is None and await storage.get(other) is None

    asyncio.run(main())


def test_local_storage(tmp_path) -> None:
    storage = photo_storage(IdentitySettings(media_dir=tmp_path, photo_s3_bucket=None))
    assert isinstance(storage, LocalPhotoStorage)
    round_trip(storage)
    assert list(tmp_path.iterdir()) == []  # nothing left behind, no temporary files


def test_s3_storage_against_moto(monkeypatch) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-central-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-central-1")
        s3.create_bucket(Bucket="numeros-photos", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        storage = photo_storage(IdentitySettings(photo_s3_bucket="numeros-photos", photo_s3_region="eu-central-1"))
        assert isinstance(storage, S3PhotoStorage)
        round_trip(storage)
        asyncio.run(storage.put(rules.photo_key("q" * 22, "display"), b"x"))
        listed = s3.list_objects_v2(Bucket="numeros-photos")["Contents"]
        assert [(o["Key"], o["Size"]) for o in listed] == [(f"photos/{'q' * 22}/display.jpg", 1)]
        head = s3.head_object(Bucket="numeros-photos", Key=f"photos/{'q' * 22}/display.jpg")
        assert head["ContentType"] == "image/jpeg"
