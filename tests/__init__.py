"""The test suite; shared helpers live in tests/helpers.py, fixtures in conftest.py."""
