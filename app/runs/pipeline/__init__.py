"""The one run pipeline: a job (``selection``), the service that runs it (``service``), a
test set through the cache and the engine (``suite`` + ``parallel``, handed ``inputs``,
storing ``results`` as they land) and Run ×k (``samples``, ``samples_batch``,
``samples_progress``)."""
