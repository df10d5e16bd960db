from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "creditbank.outcomes"
    label = "outcomes"
    verbose_name = _("Learning outcomes")

    def ready(self) -> None:
        # the review registry learns this context's reasons (reviews sits below and never imports it)
        # the ledger names the outcomes and applications of its entries through these (it sits below)
        from creditbank.ledger.references import register_application_describer, register_outcome_describer
        from creditbank.outcomes import reasons  # noqa: F401
        from creditbank.outcomes.selectors import application_references, outcome_references

        register_outcome_describer(outcome_references)
        register_application_describer(application_references)
