from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "creditbank.kernel"
    label = "kernel"
    verbose_name = "Kernel"
