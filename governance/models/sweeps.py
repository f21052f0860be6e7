from django.db import models


class SweepClaim(models.Model):
    """One scheduled sweep per (job, evaluation window): the unique key stops a second beat."""

    job = models.CharField(max_length=64)
    window_start = models.DateTimeField(help_text="Start of the schedule period the run serves.")
    claimed_at = models.DateTimeField(auto_now_add=True)
    batches = models.PositiveIntegerField(default=0, help_text="Batch tasks dispatched.")

    class Meta:
        ordering = ["-window_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "window_start"], name="one_claim_per_job_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.window_start:%Y-%m-%d %H:%M}"
