from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "creditbank.rules"
    label = "rules"
    verbose_name = _("Conversion rules")

    def ready(self) -> None:
        # the review registry learns this context's reasons (reviews sits below and never imports it)
        from creditbank.ledger.references import CONVERSION, register_application_describer
        from creditbank.rules import reasons  # noqa: F401
        from creditbank.rules.selectors import conversion_references

        # the ledger names the conversion applications of its entries through this (it sits below)
        register_application_describer(conversion_references, family=CONVERSION)
        # a revoked outcome that a conversion holds flags the conversion for review (outcomes sits below)
        from creditbank.outcomes.holds import register_revocation_hold
        from creditbank.rules.services import conversion_hold_on_revocation

        register_revocation_hold(conversion_hold_on_revocation)
