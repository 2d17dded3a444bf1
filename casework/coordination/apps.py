from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "casework.coordination"
    label = "coordination"
    verbose_name = "Coordination"
