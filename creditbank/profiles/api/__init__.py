"""The profiles API: /me, change requests, education and work history, and the staff review.

``router`` gathers the routers of this package's modules, in the order their paths are listed.
"""

from ninja import Router

from creditbank.profiles.api import change_requests, history, me, review

router = Router(tags=["profiles"])
router.add_router("", me.router)
router.add_router("", change_requests.router)
router.add_router("", review.router)
router.add_router("", history.router)
