"""Adapters to things outside the serving process: Swiss Ephemeris files, worker processes."""
