from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "casework.programs"
    label = "programs"
    verbose_name = "Programs and case management models"
