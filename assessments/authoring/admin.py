"""Recruiter admin for drafts: edit in tables, see problems next to fields, preview, publish.

A draft's page holds its skills and steps; each step's page holds its options, rules, data and
criteria; each criterion's page its levels and concepts; each level's page its exemplars.
Child pages are reached from their parent (they are not listed on the admin index).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from assessments.authoring import preview, services
from assessments.authoring.diff import summarise_changes
from assessments.authoring.files import DocumentFileError
from assessments.authoring.forms import ImportForm, LinesField, TableRowsField, TextField
from assessments.authoring.models import (
    AssessmentDraft,
    DraftConcept,
    DraftCriterion,
    DraftEmailMessage,
    DraftExemplar,
    DraftLevel,
    DraftOption,
    DraftRule,
    DraftSkill,
    DraftSkillAlignment,
    DraftStep,
)
from assessments.authoring.problems import ancestry, draft_of, draft_problems, same_row
from assessments.exceptions import AssessmentError, InvalidDocument
from audit.roles import Role, RoleAdminMixin
from flow import TEXT_ITEM_TYPES

END_CHOICE = ("", "— end of the assessment —")
LIST_FIELDS = {"phrasings", "log_lines", "table_columns", "scale_labels"}


def _admin_url(obj, action: str = "change") -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=[obj.pk])


class DraftRoleMixin(RoleAdminMixin):
    """Recruiters edit drafts (and may delete their rows); compliance may look."""

    delete_roles = (Role.RECRUITER,)
    formfield_overrides = {models.TextField: {"form_class": TextField}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "table_rows":
            return TableRowsField(required=False, label="Rows", help_text=TableRowsField.__doc__)
        if db_field.name in LIST_FIELDS:
            return LinesField(
                required=not db_field.blank,
                label=db_field.verbose_name.capitalize(),
                help_text=db_field.help_text or "One per line.",
            )
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def _choices_with_current(choices: list, current_values) -> list:
    known = {value for value, _ in choices}
    extra = [(v, f"{v} (does not exist)") for v in sorted(set(current_values) - known) if v]
    return choices + extra


def _select(field: str, formset_or_form, choices: list, current_values) -> None:
    fields = formset_or_form.base_fields
    if field in fields:
        old = fields[field]
        fields[field] = forms.ChoiceField(
            choices=_choices_with_current(choices, current_values),
            required=old.required,
            label=old.label,
            help_text=old.help_text,
        )


def _step_choices(draft: AssessmentDraft, *, end: bool) -> list:
    steps = [(s.step_id, f"{s.step_id} — {s.title}") for s in draft.steps.all()]
    return [END_CHOICE, *steps] if end else [("", "—"), *steps]


# --- problems next to fields -------------------------------------------------------------


def _problem_url(obj) -> str | None:
    """The page that edits ``obj``: its own, or the nearest parent's that has one."""
    if obj is None:
        return None
    for row in ancestry(obj):
        if type(row) in admin.site._registry:
            return _admin_url(row)
    return None


def _add_error(form, field: str | None, message: str) -> None:
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    form.errors  # noqa: B018 -- builds the (empty) error dict of an unbound form
    form.add_error(field if field in form.fields else None, message)


def _attach_problems(context: dict, obj, located) -> None:
    """Show each problem on the form (or inline row) of the page that edits its row."""
    adminform = context.get("adminform")
    rows = {}
    for inline in context.get("inline_admin_formsets", []):
        for form in inline.formset.forms:
            if form.instance.pk is not None:
                rows[(type(form.instance), form.instance.pk)] = form
    for problem in located:
        if problem.obj is None:
            continue
        chain = ancestry(problem.obj)
        if same_row(chain[0], obj) and adminform is not None:
            _add_error(adminform.form, problem.field, problem.message)
            continue
        for depth in range(1, len(chain)):
            if same_row(chain[depth], obj):
                row = chain[depth - 1]
                form = rows.get((type(row), row.pk))
                if form is not None:
                    field = problem.field if depth == 1 else None
                    text = problem.message if depth == 1 else f"Inside: {problem.message}"
                    _add_error(form, field, text)
                break


class ProblemsMixin:
    """Change pages show the draft's publishing problems next to the fields they concern."""

    change_form_template = "admin/assessments/authoring/change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            draft = draft_of(obj)
            _, located = draft_problems(draft)
            if request.method == "GET":
                _attach_problems(context, obj, located)
            context.update(
                draft=draft,
                problems=[(p, _problem_url(p.obj)) for p in located],
                crumbs=[(str(a), _admin_url(a)) for a in reversed(ancestry(obj)[1:])],
                preview_url=reverse("admin:assessments_assessmentdraft_preview", args=[draft.pk]),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


class ChildAdmin(ProblemsMixin, DraftRoleMixin, admin.ModelAdmin):
    """A draft row edited on its own page, reached from its parent's page."""

    def has_module_permission(self, request) -> bool:
        return False  # not on the admin index: reached through the draft

    def has_add_permission(self, request, *args) -> bool:
        return False  # rows are added in their parent's table

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:assessments_assessmentdraft_changelist")

    def _parent_url(self, obj) -> str:
        return _admin_url(ancestry(obj)[1])

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_saveasnew" in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, f"Saved {obj._meta.verbose_name} “{obj}”.", messages.SUCCESS)
        return HttpResponseRedirect(self._parent_url(obj))

    def response_delete(self, request, obj_display, obj_id):
        return redirect("admin:assessments_assessmentdraft_changelist")


class OrderedInline(DraftRoleMixin):
    extra = 0
    show_change_link = True


# --- inlines -----------------------------------------------------------------------------


class SkillInline(OrderedInline, admin.TabularInline):
    model = DraftSkill
    fields = ("position", "skill_id", "name", "description", "threshold", "certifies")
    formfield_overrides = {
        models.TextField: {"form_class": TextField, "widget": forms.Textarea(attrs={"rows": 2})}
    }
    verbose_name_plural = "Skills measured (with pass thresholds)"


class StepInline(OrderedInline, admin.TabularInline):
    model = DraftStep
    fields = ("position", "step_id", "title", "item_type", "next_step", "criteria_count")
    readonly_fields = ("criteria_count",)
    verbose_name_plural = "Steps (open a step to edit its text, options and rubric)"

    @admin.display(description="criteria")
    def criteria_count(self, step):
        return step.criteria.count() if step.pk else "—"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            current = obj.steps.values_list("next_step", flat=True)
            _select("next_step", formset.form, _step_choices(obj, end=True), current)
        return formset


class AlignmentInline(OrderedInline, admin.TabularInline):
    model = DraftSkillAlignment
    fields = ("position", "framework", "code", "name", "url")
    show_change_link = False


class OptionInline(OrderedInline, admin.StackedInline):
    model = DraftOption
    show_change_link = False
    formfield_overrides = {
        models.TextField: {
            "form_class": TextField,
            "widget": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        }
    }

    def get_fields(self, request, obj=None):
        first = ["option_id", "position"]
        kind = obj.item_type if obj else None
        if kind in {"single_choice", "multiple_choice"}:
            first.append("points")
        if kind == "sjt" and obj.sjt_mode == "rate":
            first.append("key_rating")
        if kind == "ranking":
            first.append("key_rank")
        fields = [tuple(first), "text", "rationale"]
        if kind == "single_choice":
            fields.append("next_step")
        return fields

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            current = obj.options.values_list("next_step", flat=True)
            choices = [
                ("", "— the step's usual next step —"),
                *_step_choices(obj.draft, end=False)[1:],
            ]
            _select("next_step", formset.form, choices, current)
        return formset


class RuleInline(OrderedInline, admin.TabularInline):
    model = DraftRule
    show_change_link = False
    verbose_name_plural = (
        "Branching rules (first match wins; an option's own branch wins over rules)"
    )

    def get_fields(self, request, obj=None):
        if obj is not None and obj.item_type == "numeric":
            return ("position", "when_op", "when_value", "next_step")
        return ("position", "when_option", "next_step")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            rules = obj.rules.all()
            _select(
                "next_step",
                formset.form,
                _step_choices(obj.draft, end=False),
                [r.next_step for r in rules],
            )
            options = [("", "—")] + [(o.option_id, o.option_id) for o in obj.options.all()]
            _select("when_option", formset.form, options, [r.when_option for r in rules])
        return formset


class EmailInline(OrderedInline, admin.StackedInline):
    model = DraftEmailMessage
    show_change_link = False
    fields = (("sender", "recipient", "date"), "subject", "body")
    verbose_name_plural = "Email thread (when the data shown is an email thread), oldest first"


class CriterionInline(OrderedInline, admin.TabularInline):
    model = DraftCriterion
    fields = ("position", "criterion_id", "skill", "weight", "level_summary")
    readonly_fields = ("level_summary",)
    verbose_name_plural = "Rubric criteria (open one to edit its levels)"

    @admin.display(description="levels")
    def level_summary(self, criterion):
        if not criterion.pk:
            return "—"
        return ", ".join(f"{level.label} ({level.points:g})" for level in criterion.levels.all())

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            skills = [(s.skill_id, s.name) for s in obj.draft.skills.all()]
            current = obj.criteria.values_list("skill", flat=True)
            _select("skill", formset.form, [("", "—"), *skills], current)
        return formset


class LevelInline(OrderedInline, admin.StackedInline):
    model = DraftLevel
    verbose_name_plural = "Levels, lowest points first (open one to edit its exemplar answers)"

    def get_fields(self, request, obj=None):
        fields = [("position", "points", "label"), "descriptor", "feedback"]
        if obj is not None and obj.step.item_type in TEXT_ITEM_TYPES:
            fields.append(("min_coverage", "exemplar_count"))
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ("exemplar_count",)

    @admin.display(description="exemplar answers")
    def exemplar_count(self, level):
        return level.exemplars.count() if level.pk else 0


class ConceptInline(OrderedInline, admin.TabularInline):
    model = DraftConcept
    fields = ("position", "concept_id", "label", "phrasings")
    show_change_link = False
    verbose_name_plural = "Concepts a good answer contains (text items)"


class ExemplarInline(OrderedInline, admin.TabularInline):
    model = DraftExemplar
    fields = ("position", "text")
    show_change_link = False
    extra = 3
    formfield_overrides = {
        models.TextField: {
            "form_class": TextField,
            "widget": forms.Textarea(attrs={"rows": 3, "cols": 100}),
        }
    }
    verbose_name_plural = "Exemplar answers written at this level (training data for text scoring)"


# --- child pages -------------------------------------------------------------------------


@admin.register(DraftSkill)
class DraftSkillAdmin(ChildAdmin):
    fields = ("skill_id", "name", "description", "threshold", "certifies")
    inlines = [AlignmentInline]


ITEM_FIELDSETS = {
    "single_choice": (),
    "multiple_choice": (("min_select", "max_select"),),
    "sjt": (
        "sjt_mode",
        ("scale_min", "scale_max"),
        "scale_labels",
        ("best_option", "worst_option"),
    ),
    "ranking": (),
    "numeric": (("numeric_answer", "unit"), ("tolerance", "tolerance_kind"), "partial_tolerance"),
    "short_text": ("max_length",),
    "long_text": ("max_length",),
}


@admin.register(DraftStep)
class DraftStepAdmin(ChildAdmin):
    search_fields = ("step_id", "title", "prompt")

    def get_fieldsets(self, request, obj=None):
        kind = obj.item_type if obj else ""
        item = list(ITEM_FIELDSETS.get(kind, ()))
        if kind == "sjt" and obj.sjt_mode == "rate":
            item = ["sjt_mode", ("scale_min", "scale_max"), "scale_labels"]
        elif kind == "sjt" and obj.sjt_mode == "best_worst":
            item = ["sjt_mode", ("best_option", "worst_option")]
        data = ["data_kind"]
        if obj and obj.data_kind == "table":
            data += ["table_columns", "table_rows"]
        elif obj and obj.data_kind == "log":
            data += ["log_lines"]
        return [
            (None, {"fields": [("step_id", "position"), "title"]}),
            ("What the candidate reads", {"fields": ["context", "prompt"]}),
            (
                "Item",
                {
                    "fields": ["item_type", *item],
                    "description": "Change the type and save to see the settings it takes.",
                },
            ),
            (
                "Data shown with the step",
                {"fields": data, "description": "Choose a kind and save to fill it in."},
            ),
            ("Where candidates go next", {"fields": ["next_step"]}),
        ]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        inlines = []
        if obj.item_type not in TEXT_ITEM_TYPES and obj.item_type != "numeric":
            inlines.append(OptionInline)
        if obj.item_type in {"single_choice", "multiple_choice", "numeric"}:
            inlines.append(RuleInline)
        if obj.data_kind == "email":
            inlines.append(EmailInline)
        inlines.append(CriterionInline)
        return inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            draft = obj.draft
            _select("next_step", form, _step_choices(draft, end=True), [obj.next_step])
            options = [("", "—")] + [(o.option_id, o.option_id) for o in obj.options.all()]
            _select("best_option", form, options, [obj.best_option])
            _select("worst_option", form, options, [obj.worst_option])
        return form


@admin.register(DraftCriterion)
class DraftCriterionAdmin(ChildAdmin):
    def get_fields(self, request, obj=None):
        fields = [("criterion_id", "position"), ("skill", "weight")]
        if obj is not None and obj.step.item_type in TEXT_ITEM_TYPES:
            fields += ["confidence_threshold", "reference_answer"]
        return fields

    def get_inlines(self, request, obj):
        if obj is not None and obj.step.item_type in TEXT_ITEM_TYPES:
            return [LevelInline, ConceptInline]
        return [LevelInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            skills = [(s.skill_id, s.name) for s in obj.step.draft.skills.all()]
            _select("skill", form, [("", "—"), *skills], [obj.skill])
        return form


@admin.register(DraftLevel)
class DraftLevelAdmin(ChildAdmin):
    def get_fields(self, request, obj=None):
        fields = [("points", "label", "position"), "descriptor", "feedback"]
        if obj is not None and obj.criterion.step.item_type in TEXT_ITEM_TYPES:
            fields.append("min_coverage")
        return fields

    def get_inlines(self, request, obj):
        if obj is not None and obj.criterion.step.item_type in TEXT_ITEM_TYPES:
            return [ExemplarInline]
        return []


# --- the draft -----------------------------------------------------------------------------


@admin.register(AssessmentDraft)
class AssessmentDraftAdmin(ProblemsMixin, DraftRoleMixin, admin.ModelAdmin):
    list_display = ("title", "slug", "role", "step_count", "based_on", "created_by", "updated_at")
    list_display_links = ("title",)
    list_filter = ("role", "based_on__assessment", "created_by", "updated_at")
    search_fields = ("title", "slug", "role", "description", "steps__title", "skills__name")
    readonly_fields = ("based_on", "created_by", "created_at", "updated_at")
    fieldsets = [
        (None, {"fields": ["title", ("slug", "role"), "description"]}),
        ("Timing and credentials", {"fields": [("time_limit_minutes", "validity_days")]}),
        ("Passing", {"fields": [("overall_threshold", "start")]}),
        (
            "History",
            {
                "fields": [("based_on", "created_by"), ("created_at", "updated_at")],
                "classes": ["collapse"],
            },
        ),
    ]
    inlines = [SkillInline, StepInline]
    actions = ["clone_selected", "export_selected"]
    change_list_template = "admin/assessments/authoring/draft_change_list.html"

    @admin.display(description="steps")
    def step_count(self, draft):
        return draft.steps.count()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("based_on__assessment", "created_by")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            _select("start", form, _step_choices(obj, end=False), [obj.start])
        return form

    def save_model(self, request, obj, form, change):
        if not change and request.user.is_authenticated:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = "assessments_assessmentdraft"
        return [
            path("import/", wrap(self.import_view), name=f"{name}_import"),
            path("<int:pk>/publish/", wrap(self.publish_view), name=f"{name}_publish"),
            path("<int:pk>/export/", wrap(self.export_view), name=f"{name}_export"),
            path("<int:pk>/clone/", wrap(self.clone_view), name=f"{name}_clone"),
            path("<int:pk>/preview/", wrap(self.preview_view), name=f"{name}_preview"),
            path(
                "<int:pk>/preview/end/",
                wrap(self.preview_end_view),
                name=f"{name}_preview_end",
            ),
            path(
                "<int:pk>/preview/<slug:step_id>/",
                wrap(self.preview_view),
                name=f"{name}_preview_step",
            ),
            *super().get_urls(),
        ]

    def _draft(self, request, pk: int, *, change: bool = False) -> AssessmentDraft:
        draft = get_object_or_404(AssessmentDraft, pk=pk)
        allowed = (
            self.has_change_permission(request, draft)
            if change
            else self.has_view_permission(request, draft)
        )
        if not allowed:
            raise PermissionDenied
        return draft

    def _page(self, request, template: str, context: dict, status: int = 200):
        return admin_page(self, request, template, context, status)

    # import / export / clone

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        errors: list[str] = []
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                draft = services.import_draft(form.cleaned_data["file"], user=request.user)
            except DocumentFileError as error:
                errors = error.errors
            else:
                self.message_user(
                    request, f"Imported “{draft.title}” as a new draft.", messages.SUCCESS
                )
                return redirect(_admin_url(draft))
        status = 400 if request.method == "POST" else 200
        return self._page(
            request,
            "admin/assessments/authoring/import.html",
            {"title": "Import an assessment file", "form": form, "file_errors": errors},
            status=status,
        )

    def export_view(self, request, pk: int):
        draft = self._draft(request, pk)
        return yaml_download(services.export_text(draft), f"{draft.slug}-draft.yaml")

    @admin.action(description="Download selected drafts as YAML (one at a time)")
    def export_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one draft to download.", messages.WARNING)
            return None
        draft = queryset.get()
        return yaml_download(services.export_text(draft), f"{draft.slug}-draft.yaml")

    def clone_view(self, request, pk: int):
        draft = self._draft(request, pk)
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        copy = services.clone_draft(draft, user=request.user)
        self.message_user(request, f"Cloned as “{copy.slug}”.", messages.SUCCESS)
        return redirect(_admin_url(copy))

    @admin.action(description="Clone selected drafts")
    def clone_selected(self, request, queryset):
        for draft in queryset:
            copy = services.clone_draft(draft, user=request.user)
            self.message_user(request, f"Cloned “{draft.slug}” as “{copy.slug}”.", messages.SUCCESS)

    # publish

    def publish_view(self, request, pk: int):
        draft = self._draft(request, pk, change=True)
        document, located = draft_problems(draft)
        previous = services.latest_version(document["slug"])
        if request.method == "POST" and not located:
            try:
                version = services.publish_draft(draft, user=request.user)
            except InvalidDocument as error:
                self.message_user(request, "; ".join(error.errors), messages.ERROR)
                return redirect(reverse("admin:assessments_assessmentdraft_publish", args=[pk]))
            self.message_user(
                request,
                f"Published {version.assessment.slug} version {version.number}.",
                messages.SUCCESS,
            )
            return redirect(_admin_url(version))
        sections = (
            [] if located else summarise_changes(previous.content if previous else None, document)
        )
        unchanged = previous is not None and not located and not sections
        return self._page(
            request,
            "admin/assessments/authoring/publish.html",
            {
                "title": f"Publish “{draft.title}”",
                "draft": draft,
                "original": draft,
                "previous": previous,
                "next_number": (previous.number + 1) if previous else 1,
                "problems": [(p, _problem_url(p.obj)) for p in located],
                "sections": sections,
                "unchanged": unchanged,
                "steps": len(document.get("steps", [])),
            },
            status=400 if request.method == "POST" else 200,
        )

    # preview

    def preview_view(self, request, pk: int, step_id: str | None = None):
        draft = self._draft(request, pk)
        document = services.draft_document(draft)
        base = reverse("admin:assessments_assessmentdraft_preview", args=[pk])
        return preview_response(
            request, document, step_id, base_url=base, back_url=_admin_url(draft)
        )

    def preview_end_view(self, request, pk: int):
        draft = self._draft(request, pk)
        document = services.draft_document(draft)
        base = reverse("admin:assessments_assessmentdraft_preview", args=[pk])
        return preview_end_response(self, request, document, base)


def admin_page(model_admin, request, template: str, context: dict, status: int = 200):
    """A page in the admin's frame (header, breadcrumbs) for one of the custom views."""
    site = model_admin.admin_site
    context = {**site.each_context(request), "opts": model_admin.model._meta, **context}
    return TemplateResponse(request, template, context, status=status)


def yaml_download(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def preview_response(request, document: dict, step_id: str | None, *, base_url: str, back_url: str):
    """Show a step of ``document`` as a candidate sees it; a POST moves on without saving."""
    steps = {step["id"]: step for step in document.get("steps", [])}
    step_id = step_id or document.get("start")
    if step_id not in steps:
        raise Http404("No such step in this assessment.")
    path = preview.parse_path(request.GET.get("path", ""), steps)
    path = path[: path.index(step_id) + 1] if step_id in path else [*path, step_id]
    if request.method == "POST":
        try:
            following = preview.next_after(document, step_id, request.POST)
        except AssessmentError as error:
            return preview.render_step(
                request, document, step_id, path, base_url=base_url, back_url=back_url,
                error=str(error), status=400,
            )  # fmt: skip
        trail = ",".join(path)
        if following is None or following not in steps:
            return redirect(f"{base_url}end/?path={trail}")
        return redirect(f"{base_url}{following}/?path={trail},{following}")
    return preview.render_step(
        request, document, step_id, path, base_url=base_url, back_url=back_url
    )


def preview_end_response(model_admin, request, document: dict, base_url: str):
    steps = {step["id"]: step for step in document.get("steps", [])}
    path = preview.parse_path(request.GET.get("path", ""), steps)
    return admin_page(
        model_admin,
        request,
        "admin/assessments/authoring/preview_end.html",
        {
            "title": f"End of the preview: {document.get('title', '')}",
            "path": [steps[step_id] for step_id in path],
            "restart_url": base_url,
        },
    )
