"""Vedic astrology (astro-mvp, public paths /astro): birth profiles, calculation snapshots, predictions."""
