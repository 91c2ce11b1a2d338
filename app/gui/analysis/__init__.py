"""Why cases fail and what to change next: heat map, triage, stability, comparison, suggestions."""
