"""Realistic messy feeds written for the tests of staged imports."""
