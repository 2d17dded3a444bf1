from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "casework.coverage"
    label = "coverage"
    verbose_name = "Payer coverage and authorizations"
