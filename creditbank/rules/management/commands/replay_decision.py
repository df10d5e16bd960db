"""Re-run the evaluator on a conversion's stored inputs and show that it gives the same decision
(invariant 7); exits non-zero when a replay differs or the stored inputs no longer match their hash."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from creditbank.kernel.errors import DomainError
from creditbank.rules.models import ConversionApplication
from creditbank.rules.services import conversion_replay


class Command(BaseCommand):
    help = "Replay conversion decisions from their stored snapshot: the same decision and hash, or a report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="conversion application ids (none: --all)")
        parser.add_argument("--all", action="store_true", help="replay every conversion application")

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = options["ids"]
        if not ids and not options["all"]:
            raise CommandError("name conversion application ids, or --all")
        qs = ConversionApplication.objects.order_by("id")
        if ids:
            qs = qs.filter(pk__in=ids)
            missing = sorted(set(ids) - set(qs.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"no conversion application {missing[0]}")
        differ: list[int] = []
        for application in qs.iterator():
            try:
                same, again = conversion_replay(application)
            except DomainError as refused:
                self.stdout.write(f"conversion {application.pk}: {refused.code}: inputs {application.inputs_hash}")
                differ.append(application.pk)
                continue
            if same:
                self.stdout.write(
                    f"conversion {application.pk}: same decision {again.sha256()} "
                    f"(eligible={str(again.eligible).lower()}, credits={again.credits:.2f})"
                )
            else:
                self.stdout.write(
                    f"conversion {application.pk}: DIFFERS: stored {application.decision_hash}, replayed {again.sha256()}"
                )
                differ.append(application.pk)
        if differ:
            raise CommandError(f"{len(differ)} decision(s) differ on replay: {', '.join(map(str, differ))}")
