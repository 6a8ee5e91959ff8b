"""Fixtures for tests/: ``mirror_dir`` and ``data_dir`` live in the repository's root conftest.py."""
