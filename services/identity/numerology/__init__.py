"""jioastro numerology: calculations and name comparisons computed by chart; saved profiles and name trials."""
