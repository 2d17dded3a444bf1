"""``casework risk train`` / ``casework risk evaluate``: fit the predictive model on the history
at hand and report how it does on a held-out period, next to the LACE index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from casework.accounts.models import Organization, User
from casework.core.errors import ApplicationError
from casework.risk.training import (
    TrainingResult,
    active_model,
    risk_model_evaluate,
    risk_model_train,
)


def _number(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Train or evaluate the predictive risk model (ED visit or admission in 180 days)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("train", "Fit a new model version, evaluate it and make it active"),
            ("evaluate", "Evaluate the active model on the latest period with full follow-up"),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument(
                "--org", help="Organization slug (default: every organization with clients)"
            )
            if name == "train":
                action.add_argument("--user", help="Username recorded as the trainer")

    def _organizations(self, slug: str | None) -> list[Organization]:
        if slug:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                raise CommandError(f"No organization with the slug {slug!r}.")
            return [organization]
        return list(
            Organization.objects.annotate(size=Count("clients"))
            .filter(size__gt=0)
            .order_by("-size", "name")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = self._organizations(options.get("org"))
        if not organizations:
            raise CommandError(
                "There are no clients to learn from (load some, e.g. casework demo)."
            )
        if options["action"] == "evaluate":
            self._evaluate(organizations)
            return
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
        trained, refusals = 0, []
        for organization in organizations:
            self.stdout.write(
                f"Training the risk model for {organization.name} ({organization.slug})…"
            )
            try:
                result = risk_model_train(
                    organization=organization,
                    acting_user=user,
                    progress=lambda message: self.stderr.write(f"  {message}"),
                )
            except ApplicationError as exc:
                refusals.append(exc.detail)
                self.stdout.write(f"  Not trained. {exc.detail}")
                self.stdout.write("")
                continue
            trained += 1
            self._report(result)
        if not trained:
            raise CommandError("No model was trained. " + " ".join(refusals))

    def _report(self, result: TrainingResult) -> None:
        write = self.stdout.write
        version, metrics, meta = result.model_version, result.metrics, result.metadata
        held_out, window = meta["held_out"], meta["training_window"]
        write("")
        write(
            f"Model version {version.version} stored and active: logistic regression predicting "
            f"an {meta['outcome']}."
        )
        write(
            f"Held-out period: clients as of {held_out['index_date']}, outcomes up to "
            f"{held_out['follow_up_until']}: {metrics['samples']:,} samples, "
            f"{metrics['positives']:,} with an outcome ({metrics['prevalence']:.1%})."
        )
        write("")
        lace, subset = metrics["lace"], metrics["lace"]["with_admission"]
        write(f"  {'held-out AUROC':<46}{'model':>8}{'LACE':>8}")
        write(
            f"  {'all clients (LACE 0 without an admission)':<46}"
            f"{_number(metrics['auroc']):>8}{_number(lace['auroc']):>8}"
        )
        label = f"clients with a prior admission (n={subset['samples']})"
        write(f"  {label:<46}{_number(subset['model_auroc']):>8}{_number(subset['lace_auroc']):>8}")
        write("")
        write(
            f"  Brier score {metrics['brier']:.3f} (always predicting the prevalence: "
            f"{metrics['brier_of_prevalence']:.3f}); training AUROC "
            f"{_number(metrics['training_auroc'])}"
        )
        write("")
        write("  Calibration on the held-out period (equal-size groups by predicted risk):")
        write(f"  {'group':>7}{'clients':>9}{'predicted':>11}{'observed':>10}{'outcomes':>10}")
        for row in metrics["calibration"]:
            write(
                f"  {row['bin']:>7}{row['n']:>9}{row['mean_predicted']:>11.1%}"
                f"{row['observed']:>10.1%}{row['events']:>10}"
            )
        write("")
        write(
            f"  Trained on {meta['samples']['training']:,} samples "
            f"({meta['positives']['training']:,} with an outcome) from {meta['clients']:,} clients"
        )
        write(
            f"  at {len(window['index_dates'])} index dates, {window['first_index_date']} to "
            f"{window['last_index_date']}, every {meta['interval_days']} days."
        )
        strongest = sorted(version.features, key=lambda row: -abs(row["coefficient"]))[:6]
        write("  Strongest features (change in log-odds per standard deviation):")
        write("    " + ", ".join(f"{row['name']} {row['coefficient']:+.2f}" for row in strongest))
        write("")

    def _evaluate(self, organizations: list[Organization]) -> None:
        evaluated = 0
        for organization in organizations:
            model = active_model(organization.pk)
            if model is None:
                self.stdout.write(f"{organization.name}: no active model (casework risk train).")
                continue
            try:
                metrics = risk_model_evaluate(
                    model=model, progress=lambda message: self.stderr.write(f"  {message}")
                )
            except ApplicationError as exc:
                self.stdout.write(f"{organization.name}: not evaluated. {exc.detail}")
                continue
            evaluated += 1
            subset = metrics["lace"]["with_admission"]
            self.stdout.write(
                f"{organization.name}, model version {model.version}, clients as of "
                f"{metrics['index_date']} ({metrics['samples']:,} samples, "
                f"{metrics['positives']:,} with an outcome): AUROC model "
                f"{_number(metrics['auroc'])} vs LACE {_number(metrics['lace']['auroc'])}; "
                f"with a prior admission (n={subset['samples']}) model "
                f"{_number(subset['model_auroc'])} vs LACE {_number(subset['lace_auroc'])}; "
                f"Brier {metrics['brier']:.3f}."
            )
        if not evaluated:
            raise CommandError("No model was evaluated.")
