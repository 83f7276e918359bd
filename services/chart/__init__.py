"""Chart service: stateless gRPC server for all CPU-bound numerology and astrology work.

Kept import-free on purpose: worker processes import this package and must stay light.
"""
