"""Reports: HTML, Markdown, JUnit XML and CSV rendered over data handed in, never a store.

Imports only :mod:`app.core` and :mod:`app.scoring`. :mod:`.markup` is the one escaping of
untrusted text (HTML, Markdown one-liners and fenced blocks); :mod:`.report` renders a run,
:mod:`.analysis` its analysis sections, :mod:`.review` the people's agreement,
:mod:`.robustness` a robustness run, :mod:`.formats` JUnit XML and the results CSV.
:mod:`app.runs.stored.report` gathers a stored run for them.
"""
