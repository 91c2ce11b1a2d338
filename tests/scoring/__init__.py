"""Tests of app/scoring: pure functions over result records."""
