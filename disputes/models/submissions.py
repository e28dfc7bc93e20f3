"""Form posts that create something, remembered by their key so a replay makes nothing new."""

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """One submitted form that created something, and where its result is.

    Every page form that creates something carries a random `submission_key`.
    Pressing the button twice, the browser resending after a timeout, or two
    tabs sending the same form: the second post finds the key taken and is
    shown the first one's result. Keys are forgotten after a day by the sweep.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="form_submission_once")]
        indexes = [models.Index(fields=["created_at"], name="form_submission_created")]

    def __str__(self) -> str:
        return f"Submission {self.key} by {self.user_id}"
