"""`python -m meshkb`."""

from meshkb.cli import run

run()
