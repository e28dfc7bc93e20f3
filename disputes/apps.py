from django.apps import AppConfig


class DisputesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disputes"

    def ready(self) -> None:
        # Register the Celery tasks in every process, web included: services queue them by
        # name after a commit (disputes.queue), and Celery only autodiscovers them in workers.
        from disputes import tasks  # noqa: F401
