"""Give every existing organization the starter care plan templates (new ones get them when
their case management models are seeded)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from casework.careplans.templates_seed import STARTER_TEMPLATES

    organization_model = apps.get_model("accounts", "Organization")
    template_model = apps.get_model("careplans", "PlanTemplate")
    for organization in organization_model.objects.all():
        existing = set(
            template_model.objects.filter(organization=organization).values_list("name", flat=True)
        )
        for spec in STARTER_TEMPLATES:
            if spec["name"] in existing:
                continue
            template_model.objects.create(
                organization=organization,
                name=spec["name"],
                model_kind=spec["model_kind"],
                need=spec["need"],
                goals=spec["goals"],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
