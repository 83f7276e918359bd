"""Accounts: email + password sign-up and login, sessions, access and refresh tokens."""
