"""jioastro numerology calculations and name comparisons, computed by chart."""
