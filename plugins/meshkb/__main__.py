"""`python -m meshkb`."""

from meshkb.cli import main

raise SystemExit(main())
