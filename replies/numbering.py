"""Document numbers (发文字号): gap-free and unique per bureau and year."""

from accounts.models import Organization

from .models import DocumentCounter


def format_document_number(prefix: str, year: int, seq: int) -> str:
    """慈经信建〔2022〕3号: 〔〕 brackets, no 第, no zero padding."""
    return f"{prefix}〔{year}〕{seq}号"


def next_document_seq(bureau: Organization, year: int) -> int:
    """Take the bureau's next number for the year. The counter row stays locked until the
    signing transaction ends, so concurrent signers queue and a rollback leaves no gap."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(bureau=bureau, year=year)], ignore_conflicts=True
    )
    counter = DocumentCounter.objects.select_for_update().get(bureau=bureau, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
