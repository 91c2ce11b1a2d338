"""Evaluation: metrics, confusion matrix, history, diffs, flip reports and run reports."""
