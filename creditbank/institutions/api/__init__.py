"""The institutions API: institutions, their members and API clients, client tokens and bulk
account opening (``institutions``); programmes and their courses (``programmes``)."""

from ninja import Router

from creditbank.institutions.api import institutions, programmes

router = Router(tags=["institutions"])
router.add_router("/", institutions.router)
router.add_router("/", programmes.router)
