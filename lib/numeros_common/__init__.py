"""Shared platform library: what every Numeros service needs, written once."""
