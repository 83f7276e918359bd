"""Push notifications for new matches and messages."""
