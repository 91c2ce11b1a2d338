"""Tests of app/reports: rendering over data handed in."""
