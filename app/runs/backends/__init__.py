"""Which engine runs a job: the backend's configuration and the one engine factory
(``config``), the backend the window and the CLI share (``choice``), and the model
self-check with its stored results (``probe``, ``model_checks``)."""
