"""Benchmarks of the production shape (`make bench`), and the baseline views they compare with.

Only `make bench` installs this package as a Django app (BENCH_BASELINE=1); a deployment never
serves /bench/. See bench/README.md.
"""
