"""Tests of app/importing: reading test sets from files."""
