"""Benchmarks (collected by pytest: ``python_files`` includes ``bench_*.py``)."""
