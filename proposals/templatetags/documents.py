"""Template filters for plain-text documents and Chinese dates, shared by every app's pages."""

from django import template

from proposals.numerals import chinese_date as format_chinese_date
from proposals.text import paragraphs as split_paragraphs

register = template.Library()


@register.filter
def paragraphs(body):
    return split_paragraphs(body)


@register.filter
def chinese_date(value):
    """2018年6月20日, as letters print it, whatever the interface language."""
    return format_chinese_date(value) if value else ""
