from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class KernelConfig(AppConfig):
    name = "creditbank.kernel"
    label = "kernel"
    verbose_name = "Kernel"

    def ready(self) -> None:
        # Every context declares its sealed columns and vault files in ``personal_data``.
        autodiscover_modules("personal_data")
        # The deployment's policy is checked at start-up: a wrong knob stops it with its name.
        from creditbank.kernel.policy import policy

        policy()
