from django.apps import AppConfig


class DisputesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disputes"

    def ready(self) -> None:
        # Register the Celery tasks in every process, web included: services queue them by
        # name after a commit (disputes.queue), and Celery only autodiscovers them in workers.
        from disputes import (
            checks,  # noqa: F401
            db_guard,
            tasks,  # noqa: F401
        )

        # The SQLite triggers that keep the record append-only ask this connection for a permit.
        db_guard.install(self)
