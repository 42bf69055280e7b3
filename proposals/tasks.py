"""Celery tasks: thin wrappers around proposals services."""

from celery import shared_task

from .reminders import reminders_send


@shared_task
def send_reminders():
    return reminders_send()
