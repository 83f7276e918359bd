"""Matches as chat knows them: a read model of matching's matches, deciding who may talk where."""
