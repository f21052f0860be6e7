"""Tags on the model and version admin pages: edited as key=value lines on the change form
and saved by the same service call as the form's other fields; shown read-only to those
who may only view."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from governance.admin.base import ServiceModelForm
from governance.forms.tags import TagsField, tag_changes


class TaggedModelForm(ServiceModelForm):
    """A service form with the instance's tags as key=value lines."""

    tags = TagsField(label="Tags")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.tags.values_list("key", "value") if self.instance.pk else ()
        self.current_tags = dict(stored)
        self.fields["tags"].initial = self.current_tags

    def _tags_posted(self) -> bool:
        # The field is declared on every form of the admin, but shown (and posted) only
        # to those who may change the object: a post without it leaves the tags alone.
        return self.add_prefix("tags") in self.data

    def tags_to_register(self) -> dict[str, str] | None:
        """The tags a new object is registered with."""
        if not self._tags_posted():
            return None
        return self.cleaned_data.get("tags") or None

    def tag_changes(self) -> dict[str, str | None] | None:
        """The typed set replaces the tags, as the merge the update services take."""
        if not self._tags_posted():
            return None
        return tag_changes(self.current_tags, self.cleaned_data.get("tags") or {}) or None


class TagsAdminMixin:
    """The tags field of the add and change pages, read-only to those who may only view.
    (No change-list column: its prefetch would be one more query on every list page.)"""

    @admin.display(description="tags")
    def tag_list(self, obj: models.Model) -> str:
        """One key=value a line (escaped: tag text is user input)."""
        lines = format_html_join(mark_safe("<br>"), "{}={}", obj.tags.values_list("key", "value"))
        return lines or "-"

    def tags_field(self, request: HttpRequest, obj: models.Model | None) -> str:
        """The editable field on the add page and to those who may change the object, else
        the read-only list."""
        if obj is None or self.has_change_permission(request, obj):
            return "tags"
        return "tag_list"
