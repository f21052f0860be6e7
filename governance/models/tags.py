import hashlib

from django.core.validators import MaxLengthValidator
from django.db import models

from governance.models.registered_models import RegisteredModel
from governance.models.versions import ModelVersion
from governance.validators import validate_tag_key, validate_text

TAG_KEY_LIMIT = 250
TAG_VALUE_LIMIT = 5_000


def value_digest(value: str) -> str:
    """Values may be 5,000 characters, too long for a B-tree index entry on PostgreSQL;
    the index holds their sha256 and the filter compares digests."""
    return hashlib.sha256(value.encode()).hexdigest()


class Tag(models.Model):
    """A free key/value label (team conventions, data domains, ticket ids); one per key."""

    key = models.CharField(max_length=TAG_KEY_LIMIT, validators=[validate_tag_key])
    value = models.TextField(
        blank=True, validators=[validate_text, MaxLengthValidator(TAG_VALUE_LIMIT)]
    )
    value_sha256 = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    def assign(self, value: str) -> None:
        self.value, self.value_sha256 = value, value_digest(value)


class ModelTag(Tag):
    """A tag on a registered model; changed only by services.tags (an audit event each)."""

    model = models.ForeignKey(RegisteredModel, on_delete=models.CASCADE, related_name="tags")

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="unique_model_tag")]
        # ?tag=key:value and ?tag=key find the tagged rows from the index, then join.
        indexes = [models.Index(fields=["key", "value_sha256", "model"], name="model_tag_idx")]


class VersionTag(Tag):
    """A tag on a model version; changed only by services.tags (an audit event each)."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="tags")

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_version_tag")
        ]
        indexes = [models.Index(fields=["key", "value_sha256", "version"], name="version_tag_idx")]
