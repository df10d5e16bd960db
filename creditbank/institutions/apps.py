from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "creditbank.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        # accounts sits below institutions and does not import it: the roles held at an
        # institution and the client-credentials grant are answered from here, registered now.
        from creditbank.accounts.roles import register_institution_roles
        from creditbank.accounts.token_grants import register_token_grant
        from creditbank.institutions.selectors import institution_role_held
        from creditbank.institutions.services import client_token_grant

        register_institution_roles(institution_role_held)
        register_token_grant("client_credentials", client_token_grant)
