"""Allow ``python -m sdstudio``."""

from sdstudio.cli import main

raise SystemExit(main())
