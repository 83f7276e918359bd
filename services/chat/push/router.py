"""Push devices and notification settings of the caller."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from numeros_common.auth import Principal, require_principal
from numeros_common.deps import runtime_of
from numeros_common.ids import resource_id
from numeros_common.responses import INVALID, MALFORMED_BODY, NOT_YOURS, RATE_LIMITED, UNAUTHENTICATED

from . import service
from .schemas import DeviceIn, DeviceOut, NotificationSettings, NotificationSettingsPatch, WebPushKey

router = APIRouter(prefix="/api/v1", tags=["push"], responses={**RATE_LIMITED, **UNAUTHENTICATED})
DeviceId = Annotated[int, resource_id("The id POST /devices returned")]


@router.post("/devices", status_code=201, response_model=DeviceOut, operation_id="register_device",
             responses={**MALFORMED_BODY, **INVALID}, summary="Register this phone or browser for push notifications")
async def post_device(body: DeviceIn, request: Request, principal: Principal = Depends(require_principal)) -> DeviceOut:
    address = body.token if body.subscription is None else body.subscription.endpoint
    keys = body.subscription.keys.model_dump() if body.subscription is not None else None
    row = await service.register_device(runtime_of(request), user_id=principal.user_id, platform=body.platform,
                                        address=address, keys=keys)
    return DeviceOut.model_validate(dict(row))


@router.delete("/devices/{device_id}", status_code=204, operation_id="delete_device",
               responses={**NOT_YOURS, **INVALID}, summary="Stop pushing to this device (e.g. at logout)")
async def delete_device(device_id: DeviceId, request: Request,
                        principal: Principal = Depends(require_principal)) -> Response:
    await service.remove_device(runtime_of(request), user_id=principal.user_id, device_id=device_id)
    return Response(status_code=204)


@router.get("/notifications/settings", response_model=NotificationSettings, operation_id="get_notification_settings",
            summary="Which notifications you get")
async def get_settings(request: Request, principal: Principal = Depends(require_principal)) -> NotificationSettings:
    return NotificationSettings(**await service.get_settings(runtime_of(request), principal.user_id))


@router.patch("/notifications/settings", response_model=NotificationSettings,
              operation_id="update_notification_settings", responses={**MALFORMED_BODY, **INVALID},
              summary="Change some notification settings (fields left out stay as they are)")
async def patch_settings(body: NotificationSettingsPatch, request: Request,
                         principal: Principal = Depends(require_principal)) -> NotificationSettings:
    changes = body.model_dump(exclude_none=True)
    return NotificationSettings(**await service.update_settings(runtime_of(request), principal.user_id, changes))


@router.get("/notifications/web-push-key", response_model=WebPushKey, operation_id="web_push_key",
            responses={404: {"description": "Web Push is not configured (WEB_PUSH_NOT_CONFIGURED)"}},
            summary="The VAPID public key a browser subscribes with")
async def get_web_push_key(request: Request, principal: Principal = Depends(require_principal)) -> WebPushKey:
    return WebPushKey(public_key=service.web_push_key(runtime_of(request)))
