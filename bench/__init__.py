"""Benchmarks (not tests): each script prints its figures as a small table."""
