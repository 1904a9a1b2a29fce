"""Rows that keep the background machinery honest: the scheduler's lease, its
jobs' history, and the heartbeats of task workers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchedulerLease(models.Model):
    """Whoever holds an unexpired lease runs the periodic jobs; the others wait.

    Taken and renewed with one conditional UPDATE against the database's clock,
    so it works the same on SQLite (no row locks) and PostgreSQL, and clocks of
    different machines do not matter.
    """

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    holder = models.CharField(_("holder"), max_length=128, blank=True)
    acquired_at = models.DateTimeField(_("acquired at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("scheduler lease")

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or '-'} until {self.expires_at}"


class ScheduledJob(models.Model):
    """One periodic job of the scheduler, with when it runs next and how it went."""

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(
        _("last finished at"), null=True, blank=True
    )
    last_holder = models.CharField(_("last run by"), max_length=128, blank=True)
    last_result = models.TextField(_("last result"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    run_count = models.PositiveIntegerField(_("runs"), default=0)
    consecutive_failures = models.PositiveIntegerField(
        _("consecutive failures"), default=0
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A running `db_worker` beats here every few seconds; silence means dead."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"
