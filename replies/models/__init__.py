"""Replies and opinions, their PDF and export jobs, and deputies' evaluations."""

from .documents import (
    CoHandlingOpinion,
    DocumentCounter,
    OfficialDocument,
    Reply,
    ReplyCc,
)
from .evaluations import Evaluation, Satisfaction
from .jobs import ExportJob, LetterPdf
from .notices import AssignmentBatch, AssignmentNotice
from .snapshots import StatsSnapshot

__all__ = [
    "AssignmentBatch",
    "AssignmentNotice",
    "CoHandlingOpinion",
    "DocumentCounter",
    "Evaluation",
    "ExportJob",
    "LetterPdf",
    "OfficialDocument",
    "Reply",
    "ReplyCc",
    "Satisfaction",
    "StatsSnapshot",
]
