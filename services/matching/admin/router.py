"""Matches per day and matching's dead letters, read by identity's admin console (``/system/activity``)."""
from numeros_common.activity import activity_router

from ..matches.tables import matches

router = activity_router("matches", matches.c.created_at)
