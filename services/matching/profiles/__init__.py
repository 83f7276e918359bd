"""Profiles: matching's read model of identity's users, fed by identity.user.* events."""
