"""`./dev run`: SQLite (WAL), console email, development keys under var/."""

from config.settings.base import *  # noqa: F403
