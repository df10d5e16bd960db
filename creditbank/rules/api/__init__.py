"""The rules API: the public catalogue (``GET /rules``), the authors' conversion rules, the
learner's conversions and pathways, and the target institution's conversion queue."""

from ninja import Router

from creditbank.rules.api import authors, catalogue, conversions, pathways, review

router = Router()
router.add_router("/", catalogue.router)
router.add_router("/", authors.router)
router.add_router("/", conversions.router)
router.add_router("/", review.router)
router.add_router("/", pathways.router)
