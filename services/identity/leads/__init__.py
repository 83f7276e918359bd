"""Leads: every phone number that asked for a code, until it is verified; the admins' list and hand verification."""
