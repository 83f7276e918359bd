"""Operators: statistics, calculation-cache resets and whole-system readiness."""
