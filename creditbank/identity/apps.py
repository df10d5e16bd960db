from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "creditbank.identity"
    label = "identity"
    verbose_name = _("Real-name verification")

    def ready(self) -> None:
        # The accounts context tells every page and API answer the next step; the verification
        # part of it comes from here (accounts does not import identity).
        from creditbank.accounts.selectors import register_verification_step
        from creditbank.identity.selectors import verification_step

        register_verification_step(verification_step)
