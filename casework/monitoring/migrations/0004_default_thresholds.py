"""Give every existing organization the default remote-monitoring thresholds (new organizations
get them when their case management models are seeded: ``thresholds_seed``). Idempotent: rows
already there (matched by condition and code) are left as they are."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from casework.monitoring.thresholds import default_threshold_rows

    organization_model = apps.get_model("accounts", "Organization")
    threshold_model = apps.get_model("monitoring", "Threshold")
    # The columns of this migration's time: the rows over several readings (``rise``) came with
    # 0007, which seeds them.
    columns = {field.attname for field in threshold_model._meta.concrete_fields}
    for organization in organization_model.objects.all():
        existing = set(
            threshold_model.objects.filter(
                organization=organization, client__isnull=True
            ).values_list("condition_code", "code")
        )
        threshold_model.objects.bulk_create(
            [
                threshold_model(**{name: value for name, value in row.items() if name in columns})
                for row in default_threshold_rows(organization.pk)
                if (row["condition_code"], row["code"]) not in existing and not row.get("rise")
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_prompt_rules_notifications_remote_monitoring"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
