"""Entry point of the frozen build: the window and the CLI in one executable.

``freeze_support`` runs before anything of the app is imported, so that the engine's
``spawn`` child (started by running this same executable) goes straight to its worker
and never imports Qt or opens a window.
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()

    import sys

    from app.cli import main

    sys.exit(main())
