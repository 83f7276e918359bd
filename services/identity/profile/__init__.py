"""The dating profile: the signed-in user's profile and the anonymous numerology + natal chart preview."""
