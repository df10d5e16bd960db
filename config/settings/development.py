"""`./dev run`: SQLite (WAL), console email, development keys under var/."""

from config.settings.base import *  # noqa: F403
from config.settings.base import LOGGING

# runserver logs every request with its status (django.server); django.request would log each
# 4xx a second time, so here it logs only server errors (with their traceback).
LOGGING["loggers"]["django.request"] = {"handlers": ["console"], "level": "ERROR", "propagate": False}
