"""``python -m app`` runs the same entry point as ``safeguard-studio``."""

import sys

from app.cli import main

sys.exit(main())
