"""meshkb: the service-mesh decision as a knowledge base, executable checklists and stable links.

The public contract of the core; nothing here imports mkdocs.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
