"""People checking a run's answers: the queue of cases to review (``queue``), a review
session with undo and the expected labels it writes (``session``), and review files
carried between data folders (``files``)."""
