"""What the frozen ``sdstudio`` executable runs: the console script's entry point."""

import sys

from sdstudio.cli import main

if __name__ == "__main__":
    sys.exit(main())
