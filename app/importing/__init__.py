"""Reading test sets from CSV/TSV/JSONL files: header detection, column guessing, label
columns, binary files refused; and the file to label, written back with the answer columns.
Imports only :mod:`app.core`."""
