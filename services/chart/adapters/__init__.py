"""Adapters to files outside the code: the Swiss Ephemeris files, the gazetteer and the zone finder."""
