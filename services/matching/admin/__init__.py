"""Operators: matching's activity for the admin console."""
