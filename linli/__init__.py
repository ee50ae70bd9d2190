"""Operator tooling: the ``linli`` command and the process runner behind ``make run``."""
