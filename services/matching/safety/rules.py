"""What a report may say, without I/O."""
from __future__ import annotations

# The reasons a user picks from when reporting someone (the admin review sorts by them).
REPORT_REASONS = ("fake_profile", "inappropriate_photos", "inappropriate_messages", "harassment", "spam_or_scam",
                  "underage", "offline_behaviour", "other")
MAX_REPORT_DETAILS = 1000
BLOCKED_REASON = "blocked"  # the reason a block's unmatch announces (matching.match.removed)
OPEN, DISMISSED, BANNED = "open", "dismissed", "banned"
