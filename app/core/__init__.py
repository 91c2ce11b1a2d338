"""Qt-free domain logic: policies, prompts, harmony parsing, verdicts, test sets, metrics."""
