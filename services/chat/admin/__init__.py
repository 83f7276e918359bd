"""Operators: chat's activity for the admin console."""
