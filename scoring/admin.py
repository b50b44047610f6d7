"""Scoring in the admin: score runs laid out for a person (with replay and re-score), scoring
jobs (failures with their error and a retry), text models with their metrics, the review queue.

Each attempt's scores: ``/admin/scoring/scorerun/attempt/<attempt public id>/`` opens its
current run, whose page lists every earlier run; the run list filters by attempt too
(``?attempt__public_id=<uuid>``).
"""

from __future__ import annotations

import json
from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from audit.roles import Role, RoleAdminMixin, has_role
from audit.services import actor_for_user
from outbox.services import retry_failed
from scoring.exceptions import RescoreRefused
from scoring.models import ReviewItem, ScoreRun, ScoringJob, TextModel, TrainingExample
from scoring.review_display import REVIEW_REASONS, breakdown_layout
from scoring.selectors import runs_of_attempt
from scoring.services.replay import replay_score_run
from scoring.services.rescoring import rescore_attempt, rescore_attempts
from scoring.services.training import (
    activate_text_model,
    deactivate_text_model,
    roll_back_text_model,
    set_text_model_pinned,
)

TOP_TERMS = 12


def _short(sha: str) -> str:
    return f"{sha[:12]}…" if sha else "—"


def _figure(value) -> str:
    return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _run_link(run_id: int | None) -> str:
    if run_id is None:
        return "—"
    url = reverse("admin:scoring_scorerun_change", args=[run_id])
    return format_html('<a href="{}">run {}</a>', url, run_id)


def _attempt_runs_url(public_id) -> str:
    return reverse("admin:scoring_scorerun_attempt", args=[public_id])


# --- Scoring jobs --------------------------------------------------------------------------


@admin.register(ScoringJob)
class ScoringJobAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "pk",
        "attempt_link",
        "reason",
        "state_badge",
        "retries",
        "enqueue_count",
        "created_at",
        "finished_at",
        "error_excerpt",
    )
    list_filter = ("state", "reason")
    search_fields = ("attempt__public_id",)
    list_select_related = ("attempt", "run")
    readonly_fields = (
        "attempt_link",
        "reason",
        "state_badge",
        "version",
        "requested_by",
        "created_at",
        "enqueued_at",
        "enqueue_count",
        "retries",
        "finished_at",
        "run_link",
        "error",
    )
    fields = readonly_fields
    actions = ["retry_jobs"]
    change_roles = ()  # nothing here is edited; a retry is an action
    change_form_template = "admin/scoring/scoringjob/change_form.html"

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return has_role(request.user, Role.RECRUITER)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_retry": self.has_retry_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        retry = self.admin_site.admin_view(require_POST(self.retry_view))
        return [
            path("<int:pk>/retry/", retry, name="scoring_scoringjob_retry"),
            *super().get_urls(),
        ]

    @admin.display(description="attempt")
    def attempt_link(self, job):
        return format_html(
            '<a href="{}">{}</a>', _attempt_runs_url(job.attempt.public_id), job.attempt.public_id
        )

    @admin.display(description="state", ordering="state")
    def state_badge(self, job):
        return format_html(
            '<strong class="sp-state-{}">{}</strong>', job.state, job.get_state_display()
        )

    @admin.display(description="error")
    def error_excerpt(self, job):
        if not job.last_error:
            return ""
        text = job.last_error.splitlines()[0]
        return text if len(text) <= 120 else f"{text[:117]}…"

    @admin.display(description="error")
    def error(self, job):
        if not job.last_error:
            return "—"
        return format_html('<pre class="sp-error">{}</pre>', job.last_error)

    @admin.display(description="score run")
    def run_link(self, job):
        return _run_link(getattr(getattr(job, "run", None), "pk", None))

    @admin.action(description="Retry the selected failed jobs", permissions=["retry"])
    def retry_jobs(self, request, queryset):
        failed = list(queryset.filter(state=ScoringJob.State.FAILED))
        for job in failed:
            retry_failed(job, requested_by=actor_for_user(request.user))
        skipped = queryset.count() - len(failed)
        self.message_user(
            request,
            f"{len(failed)} failed job(s) sent back to the queue"
            + (f"; {skipped} not failed, left alone." if skipped else "."),
            messages.SUCCESS if failed else messages.WARNING,
        )

    def retry_view(self, request, pk: int):
        if not self.has_retry_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ScoringJob, pk=pk)
        if job.state == ScoringJob.State.FAILED:
            retry_failed(job, requested_by=actor_for_user(request.user))
            self.message_user(request, f"Job {pk} sent back to the queue.", messages.SUCCESS)
        else:
            self.message_user(request, f"Job {pk} is {job.state}: nothing to retry.")
        return HttpResponseRedirect(reverse("admin:scoring_scoringjob_change", args=[pk]))

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["failed_count"] = ScoringJob.objects.filter(
            state=ScoringJob.State.FAILED
        ).count()
        return super().changelist_view(request, extra_context)


# --- Score runs ----------------------------------------------------------------------------


class CurrentRunFilter(admin.SimpleListFilter):
    title = "current"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", "Current run only"), ("no", "Superseded only")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(superseded_by__isnull=True)
        if self.value() == "no":
            return queryset.filter(superseded_by__isnull=False)
        return queryset


@admin.register(ScoreRun)
class ScoreRunAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "pk",
        "candidate",
        "assessment",
        "overall_score",
        "passed",
        "needs_review",
        "reason",
        "is_current",
        "engine_version",
        "created_at",
    )
    list_filter = (
        CurrentRunFilter,
        "passed",
        "needs_review",
        "job__reason",
        "version__assessment",
        "engine_version",
    )
    search_fields = ("attempt__public_id", "breakdown_sha256")
    list_select_related = ("attempt__invitation", "version__assessment", "job", "superseded_by")
    change_roles = ()
    change_form_template = "admin/scoring/scorerun/change_form.html"
    actions = ["rescore_runs", "replay_runs"]
    readonly_fields = (
        "job",
        "attempt",
        "supersedes",
        "created_at",
        "engine_version",
        "version",
        "content_sha256",
        "responses_sha256",
        "model_hashes",
        "overrides",
        "breakdown_sha256",
        "overall_score",
        "passed",
        "needs_review",
        "redacted_at",
        "redacted_sha256",
    )
    fieldsets = [
        ("Record (what replay checks)", {"classes": ["collapse"], "fields": readonly_fields})
    ]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_rescore_permission(self, request) -> bool:
        return has_role(request.user, Role.RECRUITER)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("breakdown_json")

    def lookup_allowed(self, lookup, value, request=None):
        if lookup in ("attempt__public_id", "attempt__id__exact", "attempt"):
            return True
        return super().lookup_allowed(lookup, value, request)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "attempt/<uuid:public_id>/",
                wrap(self.attempt_view),
                name="scoring_scorerun_attempt",
            ),
            path(
                "<int:pk>/replay/",
                wrap(require_POST(self.replay_view)),
                name="scoring_scorerun_replay",
            ),
            path(
                "<int:pk>/rescore/",
                wrap(require_POST(self.rescore_view)),
                name="scoring_scorerun_rescore",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="candidate", ordering="attempt__invitation__candidate_name")
    def candidate(self, run):
        return run.attempt.invitation.candidate_name

    @admin.display(description="assessment")
    def assessment(self, run):
        return str(run.version) if run.version_id else "—"

    @admin.display(description="reason", ordering="job__reason")
    def reason(self, run):
        return run.job.get_reason_display()

    @admin.display(description="current", boolean=True)
    def is_current(self, run):
        return not hasattr(run, "superseded_by")

    def attempt_view(self, request, public_id):
        """The current run of an attempt (its page lists the earlier ones)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = (
            ScoreRun.objects.filter(attempt__public_id=public_id, superseded_by__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if run is None:
            jobs = ScoringJob.objects.filter(attempt__public_id=public_id)
            if not jobs.exists():
                raise Http404("This attempt has not been scored.")
            self.message_user(request, "This attempt has no score yet: see its scoring jobs.")
            return HttpResponseRedirect(
                reverse("admin:scoring_scoringjob_changelist") + f"?q={public_id}"
            )
        return HttpResponseRedirect(reverse("admin:scoring_scorerun_change", args=[run.pk]))

    def replay_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(ScoreRun.objects.select_related("version", "inputs"), pk=pk)
        self._report_replay(request, [replay_score_run(run)])
        return HttpResponseRedirect(reverse("admin:scoring_scorerun_change", args=[pk]))

    def rescore_view(self, request, pk: int):
        if not self.has_rescore_permission(request):
            raise PermissionDenied
        run = get_object_or_404(ScoreRun.objects.select_related("attempt__version"), pk=pk)
        try:
            job = rescore_attempt(run.attempt, requested_by=actor_for_user(request.user))
        except RescoreRefused as error:
            self.message_user(request, f"Not re-scored: {error}", messages.ERROR)
        else:
            self.message_user(
                request,
                f"Re-score requested (job {job.pk}); the new run will appear here when scored.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:scoring_scorerun_change", args=[pk]))

    def _report_replay(self, request, results) -> None:
        for result in results:
            if result.identical:
                self.message_user(
                    request,
                    f"Run {result.run_id} replayed identically "
                    f"(sha256 {_short(result.stored_sha256)}).",
                    messages.SUCCESS,
                )
            else:
                detail = "; ".join([result.problem, *result.differences[:3]]).strip("; ")
                self.message_user(
                    request,
                    f"Run {result.run_id}: {result.status}. {detail}",
                    messages.ERROR if result.status == "different" else messages.WARNING,
                )

    @admin.action(description="Re-score the attempts of the selected runs", permissions=["rescore"])
    def rescore_runs(self, request, queryset):
        attempts = {
            run.attempt_id: run.attempt for run in queryset.select_related("attempt__version")
        }
        jobs, refused = rescore_attempts(
            attempts.values(), requested_by=actor_for_user(request.user)
        )
        self.message_user(request, f"{len(jobs)} re-score(s) requested.", messages.SUCCESS)
        for reason in refused[:5]:
            self.message_user(request, f"Not re-scored: {reason}", messages.WARNING)

    @admin.action(description="Replay the selected runs (check their hashes)")
    def replay_runs(self, request, queryset):
        results = [
            replay_score_run(run)
            for run in queryset.select_related("version", "inputs").order_by("pk")[:200]
        ]
        identical = sum(result.identical for result in results)
        self.message_user(
            request,
            f"{identical} of {len(results)} run(s) replayed identically.",
            messages.SUCCESS if identical == len(results) else messages.ERROR,
        )
        self._report_replay(request, [r for r in results if not r.identical][:10])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = (
            ScoreRun.objects.select_related(
                "attempt__invitation", "version__assessment", "job", "inputs", "superseded_by"
            )
            .filter(pk=object_id)
            .first()
        )
        extra_context = extra_context or {}
        if run is not None:
            breakdown = json.loads(run.breakdown_json)
            content = run.version.content
            answers = None
            if run.inputs.erased_at is None:
                answers = json.loads(run.inputs.responses_json)
            extra_context.update(
                run=run,
                layout=breakdown_layout(content, breakdown, answers),
                answers_erased=run.inputs.erased_at is not None,
                runs=runs_of_attempt(run.attempt_id),
                review_items=ReviewItem.objects.filter(attempt_id=run.attempt_id)
                .select_related("decision")
                .order_by("-created_at"),
                superseded_by=getattr(run, "superseded_by", None),
                can_rescore=self.has_rescore_permission(request),
                review_reasons=REVIEW_REASONS,
            )
        return super().change_view(request, object_id, form_url, extra_context)


# --- Text models ---------------------------------------------------------------------------


@admin.register(TextModel)
class TextModelAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "criterion_key",
        "version",
        "cv_qwk_display",
        "cv_exact_display",
        "n_exemplars",
        "accepted",
        "active",
        "pinned",
        "short_sha",
        "trained_at",
    )
    list_filter = ("accepted", "active", "pinned", "version__assessment")
    search_fields = ("criterion_key", "sha256", "training_set_sha256")
    list_select_related = ("version__assessment",)
    actions = [
        "activate_models",
        "deactivate_models",
        "pin_models",
        "unpin_models",
        "roll_back_models",
        "retrain_versions",
    ]
    change_roles = ()  # a model is never edited; activation, pinning, rollback are actions
    fieldsets = [
        (
            None,
            {
                "fields": (
                    "version",
                    "criterion_key",
                    "accepted",
                    "active",
                    "pinned",
                    "activated_at",
                    "replaced_link",
                )
            },
        ),
        (
            "Agreement with the human labels (cross-validated)",
            {
                "fields": (
                    "cv_qwk_display",
                    "cv_exact_display",
                    "cv_folds",
                    "n_exemplars",
                    "n_review_examples",
                    "min_exemplars",
                )
            },
        ),
        (
            "Compared with the model active when it was trained",
            {"fields": ("comparison_table",)},
        ),
        (
            "Artifact",
            {
                "fields": (
                    "sha256",
                    "training_set_sha256",
                    "content_sha256",
                    "n_levels",
                    "seed",
                    "artifact_size",
                    "download",
                    "top_terms",
                    "trained_at",
                    "trained_by",
                )
            },
        ),
    ]
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_manage_permission(self, request) -> bool:
        return has_role(request.user, Role.RECRUITER)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("artifact")

    def get_urls(self):
        download = self.admin_site.admin_view(self.artifact_view)
        return [
            path("<int:pk>/artifact.json", download, name="scoring_textmodel_artifact"),
            *super().get_urls(),
        ]

    @admin.display(description="quadratic weighted kappa", ordering="cv_qwk")
    def cv_qwk_display(self, model):
        return f"{model.cv_qwk:.3f} (agreement target {model.qwk_bar:g})"

    @admin.display(description="replaced (what a rollback returns to)")
    def replaced_link(self, model):
        if model.replaced_id is None:
            return "—"
        url = reverse("admin:scoring_textmodel_change", args=[model.replaced_id])
        return format_html('<a href="{}">model {}</a>', url, model.replaced_id)

    @admin.display(description="comparison")
    def comparison_table(self, model):
        comparison = model.comparison or {}
        if not comparison:
            return "Trained before comparisons were recorded."
        rows = [
            ("cross-validated QWK", "cv_qwk"),
            ("coverage at the target (CV)", "cv_coverage"),
            ("QWK on the automated share (CV)", "cv_qwk_auto"),
            ("confidence threshold", "auto_threshold"),
        ]
        candidate, active = comparison.get("candidate", {}), comparison.get("active", {})
        fresh_c, fresh_a = candidate.get("fresh") or {}, active.get("fresh") or {}
        cells = [
            (label, _figure(candidate.get(key)), _figure(active.get(key))) for label, key in rows
        ]
        cells += [
            (f"new labels: {label}", _figure(fresh_c.get(key)), _figure(fresh_a.get(key)))
            for label, key in (("rows", "rows"), ("QWK", "qwk"), ("coverage", "coverage"))
        ]
        verdict = "replace" if comparison.get("replace") else "keep the active model"
        return format_html(
            '<table><thead><tr><th scope="col">measure</th><th scope="col">this model</th>'
            '<th scope="col">the active one</th></tr></thead><tbody>{}</tbody></table>'
            "<p><strong>Verdict: {}</strong> ({})</p>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", cells),
            verdict,
            comparison.get("reason", ""),
        )

    @admin.display(description="exact agreement", ordering="cv_exact_agreement")
    def cv_exact_display(self, model):
        return f"{model.cv_exact_agreement:.0%}"

    @admin.display(description="sha256")
    def short_sha(self, model):
        return _short(model.sha256)

    @admin.display(description="artifact size")
    def artifact_size(self, model):
        return f"{len(bytes(model.artifact)) / 1024:.0f} KiB of canonical JSON"

    @admin.display(description="artifact")
    def download(self, model):
        url = reverse("admin:scoring_textmodel_artifact", args=[model.pk])
        return format_html('<a href="{}">Download the artifact (JSON)</a>', url)

    @admin.display(description="strongest n-grams")
    def top_terms(self, model):
        try:
            document = json.loads(bytes(model.artifact))
        except (ValueError, TypeError):
            return "the artifact is not readable JSON"
        terms = list(document.get("word_terms", [])) + [
            f"[{term}]" for term in document.get("char_terms", [])
        ]
        weighted = sorted(zip(terms, document.get("coef", []), strict=False), key=lambda p: p[1])
        rows = [("towards higher levels", reversed(weighted[-TOP_TERMS:]))]
        rows.append(("towards lower levels", weighted[:TOP_TERMS]))
        return format_html_join(
            "",
            "<p><strong>{}</strong>: {}</p>",
            (
                (label, ", ".join(f"{term} ({weight:+.2f})" for term, weight in pairs))
                for label, pairs in rows
            ),
        )

    def artifact_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        model = get_object_or_404(TextModel, pk=pk)
        response = HttpResponse(bytes(model.artifact), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="text-model-{model.sha256}.json"'
        return response

    @admin.action(description="Activate the selected accepted models", permissions=["manage"])
    def activate_models(self, request, queryset):
        done = 0
        for model in queryset:
            try:
                activate_text_model(model, actor=actor_for_user(request.user))
                done += 1
            except RescoreRefused as error:
                self.message_user(request, str(error), messages.WARNING)
        self.message_user(
            request,
            f"{done} model(s) active. Re-score to apply them to attempts already scored "
            "(manage.py rescore --assessment SLUG --outdated).",
        )

    @admin.action(description="Deactivate the selected models", permissions=["manage"])
    def deactivate_models(self, request, queryset):
        for model in queryset:
            deactivate_text_model(model, actor=actor_for_user(request.user))
        self.message_user(request, "Deactivated; those criteria fall back to the concept rubric.")

    def _each(self, request, queryset, change, done: str) -> None:
        """Apply one audited service to each selected model; refusals are shown, not raised."""
        changed = 0
        for model in queryset:
            try:
                change(model, actor=actor_for_user(request.user))
                changed += 1
            except RescoreRefused as error:
                self.message_user(request, str(error), messages.WARNING)
        self.message_user(request, f"{changed} model(s) {done}.")

    @admin.action(
        description="Pin the selected active models (retraining never replaces them)",
        permissions=["manage"],
    )
    def pin_models(self, request, queryset):
        self._each(request, queryset, partial(set_text_model_pinned, pinned=True), "pinned")

    @admin.action(description="Unpin the selected models", permissions=["manage"])
    def unpin_models(self, request, queryset):
        self._each(request, queryset, partial(set_text_model_pinned, pinned=False), "unpinned")

    @admin.action(
        description="Roll back: make the model each one replaced active again",
        permissions=["manage"],
    )
    def roll_back_models(self, request, queryset):
        self._each(request, queryset, roll_back_text_model, "rolled back")

    @admin.action(
        description="Train the selected models' versions again (Celery)", permissions=["manage"]
    )
    def retrain_versions(self, request, queryset):
        from scoring.tasks import train_text_models

        versions = sorted(set(queryset.values_list("version_id", flat=True)))
        for version_id in versions:
            train_text_models.delay(version_id, actor=actor_for_user(request.user))
        self.message_user(request, f"Training queued for {len(versions)} version(s).")


# --- Review queue --------------------------------------------------------------------------


@admin.register(ReviewItem)
class ReviewItemAdmin(RoleAdminMixin, admin.ModelAdmin):
    """The queue as a list, blind to identity: no candidate name or email anywhere."""

    view_roles = (Role.REVIEWER, Role.RECRUITER, Role.COMPLIANCE)
    change_roles = ()
    list_display = (
        "pk",
        "assessment",
        "criterion_key",
        "why",
        "machine",
        "state",
        "created_at",
        "open_link",
    )
    list_filter = ("state", "run__version__assessment")
    list_select_related = ("run__version__assessment", "decision")
    readonly_fields = (
        "criterion_key",
        "why",
        "machine",
        "state",
        "created_at",
        "closed_at",
        "decision_summary",
        "open_link",
    )
    fields = readonly_fields

    def has_add_permission(self, request, *args) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("run__breakdown_json")

    @admin.display(description="assessment")
    def assessment(self, item):
        return str(item.run.version)

    @admin.display(description="why")
    def why(self, item):
        return "; ".join(REVIEW_REASONS.get(reason, reason) for reason in item.reasons)

    @admin.display(description="machine")
    def machine(self, item):
        return f"level {item.machine_level} by {item.machine_method}, {item.machine_confidence:.0%}"

    @admin.display(description="decision")
    def decision_summary(self, item):
        decision = getattr(item, "decision", None)
        if decision is None:
            return "—"
        return f"level {decision.level} by {decision.reviewer_label}: {decision.reason}"

    @admin.display(description="")
    def open_link(self, item):
        if item.state != ReviewItem.State.OPEN:
            return ""
        return format_html('<a href="{}">Review</a>', reverse("review:item", args=[item.pk]))


# --- What the models learn from ---------------------------------------------------------------


@admin.register(TrainingExample)
class TrainingExampleAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Reviewers' labels the text models train on, with where each came from; read-only and
    blind to identity (no candidate name, email or attempt)."""

    view_roles = (Role.REVIEWER, Role.RECRUITER, Role.COMPLIANCE)
    change_roles = ()
    list_display = (
        "pk",
        "assessment",
        "criterion_key",
        "level",
        "machine_level",
        "quality_control",
        "reviewer_label",
        "labelled_at",
        "trained_at",
        "erased_at",
    )
    list_filter = ("quality_control", "assessment", "criterion_key")
    list_select_related = ("assessment",)
    fields = (
        "assessment",
        "criterion_key",
        "version",
        "scale_sha256",
        "level",
        "machine_level",
        "text",
        "quality_control",
        "review_link",
        "reviewer_label",
        "labelled_at",
        "trained_at",
        "erased_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, *args) -> bool:
        return False

    @admin.display(description="review")
    def review_link(self, example):
        url = reverse("admin:scoring_reviewitem_change", args=[example.decision.item_id])
        return format_html('<a href="{}">Review #{}</a>', url, example.decision.item_id)
