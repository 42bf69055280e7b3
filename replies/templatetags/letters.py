from django import template

from replies.letter.data import cc_line
from replies.text import paragraphs

register = template.Library()


@register.filter
def letter_paragraphs(body):
    return paragraphs(body)


@register.filter(name="cc_line")
def cc_line_filter(recipients):
    """市人大代表工委，市政府办公室，…，潘省办、胡国锋。 as the letter prints it."""
    return cc_line(list(recipients))


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)
