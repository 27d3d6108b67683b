"""`python -m kgan.cli ...`: the `kgan` command, for environments without the script on PATH."""

import sys

from kgan.cli import main

sys.exit(main())
