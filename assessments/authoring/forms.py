"""Form fields that let recruiters edit lists and tables as plain text, without JSON."""

import yaml
from django import forms
from django.core.exceptions import ValidationError


def normalise_newlines(value: str) -> str:
    """Browsers post CRLF from text areas; documents use LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


class TextField(forms.CharField):
    """Multi-line text kept exactly as written (no stripping), with LF line breaks."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 4, "cols": 80, "class": "vLargeTextField"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise_newlines(super().to_python(value))


class LinesField(forms.CharField):
    """A list of strings, edited one per line (empty lines are ignored)."""

    def __init__(self, *, rows: int = 4, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        kwargs["strip"] = False
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows, "cols": 80}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = normalise_newlines(value or "")
        return [line for line in text.split("\n") if line.strip()]

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


def _cell_text(value) -> str:
    text = yaml.safe_dump([value], default_flow_style=True, width=10**6, allow_unicode=True)
    return text.strip()[1:-1]


class TableRowsField(forms.CharField):
    """Table rows, one per line, cells separated by commas.

    Numbers, true/false and null are read as such; put text that contains a comma or looks
    like a number in quotes ('1,200' or "2024").
    """

    def __init__(self, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs["strip"] = False
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6, "cols": 80}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(", ".join(_cell_text(cell) for cell in row) for row in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        rows = []
        for number, line in enumerate(normalise_newlines(value or "").split("\n"), start=1):
            if not line.strip():
                continue
            try:
                cells = yaml.safe_load(f"[{line}]")
            except yaml.YAMLError as error:
                raise ValidationError(f"Row {number} could not be read: {line!r}") from error
            if not all(isinstance(cell, str | int | float | bool | type(None)) for cell in cells):
                raise ValidationError(f"Row {number}: cells must be text, numbers or true/false.")
            rows.append(cells)
        return rows

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class ImportForm(forms.Form):
    """Upload an assessment YAML file to create a draft."""

    file = forms.FileField(
        label="Assessment file (YAML)",
        help_text="A file written by “Export YAML” or export_assessment. Nothing changes "
        "unless the whole file is valid.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError("The file is larger than 5 MB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError("The file is not UTF-8 text.") from error
