"""Matches: resonances (like / pass), the mutual match they make and its event, and the caller's matches."""
