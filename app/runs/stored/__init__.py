"""What is read from stored runs: the one loader of a run (``history.stored_run``) and its
policy under the format it ran with (``policy``), what names it (``facts``, ``labels``),
its analysis and report data (``analysis``, ``report``), a robustness run read back
(``robustness``), and filed triage (``triage_book``)."""
