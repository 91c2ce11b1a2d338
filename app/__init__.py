"""Safeguard Studio: a local workbench for gpt-oss-safeguard content policies."""

__version__ = "0.1.0"
