from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The composition at the top of the house: pages that gather every context's summary.
    No models; no context imports it (import-linter)."""

    name = "creditbank.portal"
    label = "portal"
    verbose_name = _("Portal")
