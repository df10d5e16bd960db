"""The outcomes API: the learner's outcomes and certification, the certification review queue,
institution deposits and revocation, certification standards (public and for their editors)."""

from ninja import Router

from creditbank.outcomes.api import deposits, me, review, rules

router = Router(tags=["outcomes"])
router.add_router("/", me.router)
router.add_router("/", review.router)
router.add_router("/", deposits.router)
router.add_router("/", rules.router)
