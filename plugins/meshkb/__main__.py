"""`python -m meshkb`."""

from .cli import main

raise SystemExit(main())
