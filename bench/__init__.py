"""Benchmarks (scripts that print figures; see README.md) and their SQL yardstick
(:mod:`bench.reference`). Never part of the installed package."""
