from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class KernelConfig(AppConfig):
    name = "creditbank.kernel"
    label = "kernel"
    verbose_name = "Kernel"

    def ready(self) -> None:
        # Every context declares its sealed columns and vault files in ``personal_data``.
        autodiscover_modules("personal_data")
