from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "creditbank.outcomes"
    label = "outcomes"
    verbose_name = _("Learning outcomes")

    def ready(self) -> None:
        # the review registry learns this context's reasons (reviews sits below and never imports it)
        from creditbank.outcomes import reasons  # noqa: F401
