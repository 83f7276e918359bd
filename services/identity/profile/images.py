"""An uploaded photo made safe to show: decoded by Pillow (so it is an image, of a format we accept),
turned upright by its EXIF orientation, and re-encoded without any metadata (GPS position, camera,
time taken, ICC profile, comments) at two sizes. No I/O: bytes in, bytes out."""
from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from numeros_common.errors import AppError

ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MAX_UPLOAD_BYTES = 10_000_000  # "10 MB"; the gateway's body limit (10 MiB) leaves room for the multipart framing
# A decompression bomb is small on the wire and huge in memory: its header's size is refused before any pixel
# is decoded. 40 megapixels is above any phone camera's photo (a 200 MP sensor saves 12.5 MP by default).
MAX_PIXELS = 40_000_000
DISPLAY_EDGE = 1080  # the longer side of the display size
THUMBNAIL_EDGE = 320
JPEG_QUALITY = 85
SIZES = ("display", "thumbnail")


@dataclass(frozen=True)
class PreparedPhoto:
    display: bytes
    thumbnail: bytes
    width: int  # of the display size
    height: int


def invalid_image(message: str) -> AppError:
    return AppError(422, "INVALID_IMAGE", f"file: {message}", field="file")


def too_large() -> AppError:
    return AppError(413, "PAYLOAD_TOO_LARGE", f"file: larger than {MAX_UPLOAD_BYTES // 1_000_000} MB", field="file")


def prepare(data: bytes) -> PreparedPhoto:
    """The display size and the thumbnail of an uploaded JPEG, PNG or WebP image, as metadata-free JPEGs."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
        except UnidentifiedImageError:
            raise invalid_image("not a JPEG, PNG or WebP image") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb() from None
        except (OSError, SyntaxError, ValueError, struct.error) as error:  # a header that breaks off or lies
            raise invalid_image(f"the image cannot be decoded ({error})") from None
        with image:
            if image.width * image.height > MAX_PIXELS:
                raise _bomb()
            # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale (DCT scaling), still at least the display size:
            # a phone photo is read several times faster than at full size.
            image.draft("RGB", (DISPLAY_EDGE, DISPLAY_EDGE))
            try:
                image.load()  # the whole file decodes: a truncated or corrupt image is refused here
                upright = ImageOps.exif_transpose(image)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _bomb() from None
            except (OSError, SyntaxError, ValueError, struct.error) as error:
                raise invalid_image(f"the image cannot be decoded ({error})") from None
    rgb = _flattened(upright)
    display = _fitted(rgb, DISPLAY_EDGE)
    return PreparedPhoto(_jpeg(display), _jpeg(_fitted(rgb, THUMBNAIL_EDGE)), display.width, display.height)


def _bomb() -> AppError:
    return AppError(422, "IMAGE_TOO_LARGE", f"file: more than {MAX_PIXELS // 1_000_000} megapixels", field="file")


def _flattened(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparency over white (a PNG's clear background would turn black)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _fitted(image: Image.Image, edge: int) -> Image.Image:
    if max(image.size) <= edge:
        return image
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return copy


def _jpeg(image: Image.Image) -> bytes:
    """A new JPEG from the pixels alone: no exif, icc_profile or comment is passed, so none is written."""
    out = io.BytesIO()
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
