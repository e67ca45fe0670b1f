"""Features, platform-free. Every public module here is a cog; modules starting with "_" are skipped."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def load_cogs() -> list[ModuleType]:
    """Import every cog module, so their @command and @job_handler declarations register."""
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    return modules
