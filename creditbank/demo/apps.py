from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `./dev run` (not a bounded context: it uses all of them). No models."""

    name = "creditbank.demo"
    label = "demo"
    verbose_name = "Demo data"
