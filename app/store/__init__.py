"""The results database: the only package that imports ``sqlite3``.

:class:`Store` (``database.py``) runs the queries of policy versions, runs and results, and
of the tables kept beside them (``robustness.py``); ``rows.py`` says what the tables hold
and converts rows to the plain records of :mod:`app.core.records`; ``setup.py`` opens a
database (busy wait, schema, interrupted runs); ``errors.py`` turns every database fault into
one :class:`StoreError` sentence; ``backup.py`` keeps the daily copies. It imports only
:mod:`app.core`.
"""

from app.store.database import Store, default_db_path
from app.store.errors import StoreError

__all__ = ["Store", "StoreError", "default_db_path"]
