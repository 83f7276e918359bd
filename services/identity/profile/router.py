"""The dating profile: the signed-in user's profile (read, edit, delete the account), their photos, the
anonymous numerology + chart preview, and the photo files themselves (public by unguessable URL)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import db_session, runtime_of
from numeros_common.dialects import ENVELOPE
from numeros_common.errors import AppError
from numeros_common.families import Family, family_router
from numeros_common.ratelimit import RatePolicy
from numeros_common.responses import CHART_UNAVAILABLE, INVALID, MALFORMED_BODY, RATE_LIMITED, UNAUTHENTICATED

from . import service
from .images import MAX_UPLOAD_BYTES, too_large
from .schemas import (BIRTH_PLACE_DESCRIPTION, UPLOAD_BODY, UPLOAD_DESCRIPTION, CalculateInput, CalculateResponse,
                      DeleteAccount, MeResponse, PhotoList, PhotoOrder, PhotoOut, ProfileUpdate, profile_body)

router = APIRouter(prefix="/api/v1/profile", tags=["profile"], responses=RATE_LIMITED)
PHOTO_NOT_FOUND = {404: {"description": "No such photo among yours (someone else's is not found either)"}}
# The multipart framing around the one file part: headers, boundaries, a filename.
MULTIPART_SLACK_BYTES = 64 * 1024


async def signed_in_profile(principal: Principal = Depends(require_principal),
                            session: AsyncSession = Depends(db_session)) -> JSONResponse:
    return JSONResponse(profile_body(await service.signed_in_user(session, principal.user_id)))


router.get("/me", response_model=MeResponse, summary="My profile with numerology and astrology",
           operation_id="get_my_profile", responses=UNAUTHENTICATED)(signed_in_profile)


@router.patch("/me", response_model=MeResponse, summary="Edit my profile (only the fields sent change)",
              description="Display name, bio, gender, who they want to meet, birth data (numerology and chart are "
                          "recalculated by the chart service; when it is unavailable nothing changes: 503), "
                          "location (coordinates or a place name from the offline gazetteer) and the photo order. "
                          "Publishes `identity.user.updated` (or `identity.user.registered` when an account "
                          "registered with email and password alone gains its profile). birth_place: "
                          + BIRTH_PLACE_DESCRIPTION,
              operation_id="update_my_profile",
              responses={**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID, **CHART_UNAVAILABLE,
                         404: {"description": "A photo in `photos` is not one of yours"}})
async def update_profile(body: ProfileUpdate, request: Request, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> JSONResponse:
    user = await service.update_profile(runtime_of(request), session, principal.user_id, body.changes())
    return JSONResponse(profile_body(user))


@router.delete("/me", status_code=204, summary="Delete my account",
               description="Confirmed with the account's `password`, or `otp_code` for an account without one "
                           "(phone sign-in). Deletes the account, its photos and Vedic profiles, ends every "
                           "session and publishes `identity.user.deleted`: matching drops the person from scans "
                           "and ends their matches.",
               operation_id="delete_my_account",
               responses={**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID,
                          403: {"description": "Wrong password (INVALID_PASSWORD)"}})
async def delete_account(body: DeleteAccount, request: Request, principal: Principal = Depends(require_principal),
                         session: AsyncSession = Depends(db_session)) -> Response:
    await service.delete_account(runtime_of(request), session, principal.user_id, password=body.password,
                                 otp_code=body.otp_code)
    return Response(status_code=204)


@router.post("/calculate", response_model=CalculateResponse, summary="Numerology and natal chart without an account",
             description="Anonymous (rate-limited per IP). A local birth time before 0001-01-01T00:00Z (midnight of "
                         "1 January 1 east of Greenwich) is refused (422 naming `birth_date`). "
                         "The numeros-backend-rebuild "
                         "CalculateResponse "
                         "`{numerology, astrology, chart_level}` with the native app's PlanetPosition / AnglePosition "
                         "shapes; `angles` and `houses` only at chart level 4. `astrology.birth` says which time zone "
                         "and UTC instant were used. Optional `timezone` and `house_system`. birth_place: "
                         + BIRTH_PLACE_DESCRIPTION,
             operation_id="calculate_profile", responses={**MALFORMED_BODY, **INVALID, **CHART_UNAVAILABLE})
async def calculate(body: CalculateInput, request: Request) -> Response:
    profile = await service.calculate_profile(runtime_of(request).chart, body.name, body, name_field="name")
    # chart's document is the response body; passed through as chart wrote it.
    return Response(profile.document_json, media_type="application/json")


# --- photos --------------------------------------------------------------------------------------------


def _no_file(message: str) -> AppError:
    return AppError(422, "VALIDATION_ERROR", f"file: {message}", field="file")


async def _limited(stream: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    """The request body, refused (413) as soon as it passes ``limit``: a large upload is never read whole."""
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > limit:
            raise too_large()
        yield chunk


async def uploaded_file(request: Request) -> bytes:
    """The ``file`` part of a multipart body, read as it arrives (not through FastAPI's form parsing, which
    reads the whole body before any check)."""
    limit = MAX_UPLOAD_BYTES + MULTIPART_SLACK_BYTES
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large()
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise _no_file("send multipart/form-data with the image in a part named file")
    parser = MultiPartParser(request.headers, _limited(request.stream(), limit), max_files=1, max_fields=10)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise _no_file(f"the multipart body cannot be read ({error.message})") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _no_file("required: the image in a part named file")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
    finally:
        await form.close()
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large()
    return data


@router.post("/photos/upload", status_code=201, response_model=PhotoOut, summary="Add a photo to my profile",
             description=UPLOAD_DESCRIPTION, operation_id="upload_photo", openapi_extra=UPLOAD_BODY,
             responses={**UNAUTHENTICATED, **INVALID,
                        409: {"description": "Already 6 photos (TOO_MANY_PHOTOS)"},
                        413: {"description": "The file is larger than 10 MB"}})
async def upload_photo(request: Request, principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> JSONResponse:
    data = await uploaded_file(request)
    photo = await service.upload_photo(runtime_of(request), session, principal.user_id, data)
    return JSONResponse(PhotoOut(**photo).model_dump(), status_code=201)


PhotoIdPath = Path(min_length=1, max_length=64, description="A photo id from the profile's photo_details")


@router.delete("/photos/{photo_id}", status_code=204, summary="Delete one of my photos",
               operation_id="delete_photo", responses={**UNAUTHENTICATED, **PHOTO_NOT_FOUND})
async def delete_photo(request: Request, photo_id: str = PhotoIdPath, principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> Response:
    await service.delete_photo(runtime_of(request), session, principal.user_id, photo_id)
    return Response(status_code=204)


@router.put("/photos/order", response_model=PhotoList, summary="Put my photos in a new order",
            description="`photo_ids` lists each of the user's photos exactly once; the first is the main photo.",
            operation_id="order_photos",
            responses={**UNAUTHENTICATED, **MALFORMED_BODY, **INVALID, **PHOTO_NOT_FOUND})
async def order_photos(body: PhotoOrder, request: Request, principal: Principal = Depends(require_principal),
                       session: AsyncSession = Depends(db_session)) -> JSONResponse:
    photos = await service.reorder_photos(runtime_of(request), session, principal.user_id, body.photo_ids)
    return JSONResponse(PhotoList(photos=[PhotoOut(**p) for p in photos]).model_dump())


# --- the files -----------------------------------------------------------------------------------------

# Many thumbnails load at once on a scan page: their own budget, per client IP (no token is sent).
MEDIA = Family(ENVELOPE, RatePolicy("media", "rate_limit_media", by_ip=True))
media_router = family_router("/api/v1/media", MEDIA, tags=["profile"], responses=RATE_LIMITED)
# Photo bytes never change under an id (a new photo gets a new id); deleted ones drop out of caches within the hour.
PHOTO_CACHE = "public, max-age=3600"


@media_router.get("/photos/{photo_id}/{size}", summary="A profile photo (JPEG)", operation_id="get_photo",
                  description="Public: whoever has the URL (from a profile or a scan card) may load it, as the "
                              "app's image views send no token; the 128-bit random id is what keeps it private. "
                              "Gone as soon as the photo or the account is deleted.",
                  response_class=Response,
                  responses={200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
                                   "description": "The image"},
                             404: {"description": "No such photo"}, **INVALID})
async def photo_file(request: Request, photo_id: str = Path(min_length=1, max_length=64),
                     size: Literal["display", "thumbnail"] = Path(),
                     session: AsyncSession = Depends(db_session)) -> Response:
    data = await service.photo_file(runtime_of(request), session, photo_id, size)
    return Response(data, media_type="image/jpeg",
                    headers={"Cache-Control": PHOTO_CACHE, "X-Content-Type-Options": "nosniff"})
