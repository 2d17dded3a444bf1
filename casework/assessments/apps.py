from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "casework.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from casework.assessments.loader import load_instruments_after_migrate

        post_migrate.connect(load_instruments_after_migrate, sender=self)
