"""Helpers shared by the test suite and the benchmarks: a real server in a child process,
wrk load generation, and synthetic datasets. Not part of the installed package."""
