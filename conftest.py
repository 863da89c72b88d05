# SPDX-License-Identifier: MIT
# Every pytest run in the repository (tests/, tools/) follows tests/evidence.py.
pytest_plugins = ["evidence"]
