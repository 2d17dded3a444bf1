from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "casework.careplans"
    label = "careplans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        # Registers the care-plan guards of the case lifecycle (→ active).
        from casework.careplans import guards  # noqa: F401
