"""Review mode: a person confirms or corrects a run's answers one case at a time."""
