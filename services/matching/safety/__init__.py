"""Safety: blocks, reports of other users and their review by admins (ban or dismiss)."""
