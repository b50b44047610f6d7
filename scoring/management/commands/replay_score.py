"""Recompute stored score runs from their stored inputs and compare the breakdown's sha256.

Exit status: 0 when every run replays to the identical hash; 1 when any differs (or a stored
input no longer matches its hash); 2 when none differs but some cannot be replayed (the
candidate's answers were erased, or a model artifact is missing).
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from scoring.models import ScoreRun
from scoring.services.replay import replay_score_run

CHUNK = 500


class Command(BaseCommand):
    help = (
        "Replay score runs: frozen content + the answer snapshot + the exact model artifacts "
        "(by sha256) + the reviewers' overrides -> breakdown; exit 0 only if every hash matches."
    )

    def add_arguments(self, parser):
        parser.add_argument("run_ids", nargs="*", type=int, metavar="RUN_ID")
        parser.add_argument("--all", action="store_true", help="Every stored run.")
        parser.add_argument("--assessment", help="Every run of one assessment.")
        parser.add_argument("--quiet", "-q", action="store_true", help="Print only problems.")

    def handle(self, *args, **options):
        runs = ScoreRun.objects.select_related("version", "inputs", "attempt").order_by("pk")
        if options["run_ids"]:
            runs = runs.filter(pk__in=options["run_ids"])
            missing = set(options["run_ids"]) - set(runs.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No score run {', '.join(map(str, sorted(missing)))}.")
        elif options["assessment"]:
            runs = runs.filter(attempt__version__assessment__slug=options["assessment"])
        elif not options["all"]:
            raise CommandError("Give RUN_ID(s), --assessment SLUG or --all.")
        counts = {"identical": 0, "different": 0, "unavailable": 0}
        for run in runs.iterator(chunk_size=CHUNK):
            result = replay_score_run(run)
            counts[result.status] += 1
            if result.identical:
                if not options["quiet"]:
                    self.stdout.write(f"run {run.pk}: identical {result.stored_sha256}")
                continue
            self.stdout.write(
                f"run {run.pk}: {result.status.upper()} stored {result.stored_sha256} "
                f"replayed {result.replayed_sha256 or '-'} {result.problem}".rstrip()
            )
            for difference in result.differences:
                self.stdout.write(f"    {difference}")
        self.stdout.write(
            f"{counts['identical']} identical, {counts['different']} different, "
            f"{counts['unavailable']} not replayable."
        )
        if counts["different"]:
            sys.exit(1)
        if counts["unavailable"]:
            sys.exit(2)
