from django.apps import AppConfig


class EncountersConfig(AppConfig):
    name = "casework.encounters"
    label = "encounters"
    verbose_name = "Contacts"
