"""Data only: (1) the standard models named the home visit contact mode "home" where
``ContactType`` says "home_visit": existing models are corrected to the contact type's code;
(2) every existing case management model (and its organization) gets the default prompt rules
of ``casework/monitoring/defaults.py``, as ``prompt_rules_seed`` gives new ones. (Kept in the
programs app, next to the models it seeds, so it does not fork the monitoring migrations.)"""

from django.db import migrations


def forwards(apps, schema_editor):
    from casework.monitoring.defaults import model_rule_defaults, organization_rule_defaults

    CaseManagementModel = apps.get_model("programs", "CaseManagementModel")
    PromptRule = apps.get_model("monitoring", "PromptRule")
    organizations = set()
    for model in CaseManagementModel.objects.all():
        modes = list(model.contact_modes or [])
        if "home" in modes:
            model.contact_modes = [
                "home_visit" if mode == "home" else mode for mode in modes
            ]
            model.save(update_fields=["contact_modes"])
        for spec in model_rule_defaults(model.kind):
            fields = {key: value for key, value in spec.items() if key != "kind"}
            PromptRule.objects.get_or_create(
                organization_id=model.organization_id,
                model=model,
                kind=spec["kind"],
                defaults=fields,
            )
        organizations.add(model.organization_id)
    for organization_id in organizations:
        for spec in organization_rule_defaults():
            fields = {key: value for key, value in spec.items() if key != "kind"}
            PromptRule.objects.get_or_create(
                organization_id=organization_id,
                model=None,
                kind=spec["kind"],
                defaults=fields,
            )


def backwards(apps, schema_editor):
    CaseManagementModel = apps.get_model("programs", "CaseManagementModel")
    for model in CaseManagementModel.objects.all():
        modes = list(model.contact_modes or [])
        if "home_visit" in modes:
            model.contact_modes = ["home" if mode == "home_visit" else mode for mode in modes]
            model.save(update_fields=["contact_modes"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_initial"),
        ("monitoring", "0003_prompt_rules_notifications_remote_monitoring"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
