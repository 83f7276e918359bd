"""Messages per day and chat's dead letters, read by identity's admin console (``/system/activity``)."""
from numeros_common.activity import activity_router

from ..messages.tables import messages

router = activity_router("messages", messages.c.created_at)
