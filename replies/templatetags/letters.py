from django import template

from replies.text import paragraphs

register = template.Library()


@register.filter
def letter_paragraphs(body):
    return paragraphs(body)


@register.filter
def cc_line(recipients):
    """市人大代表工委，市政府办公室，…，潘省办、胡国锋。 (people joined with 、)"""
    parts: list[str] = []
    previous_person = False
    for entry in recipients:
        if parts and entry.is_person and previous_person:
            parts[-1] += "、" + entry.name
        else:
            parts.append(entry.name)
        previous_person = entry.is_person
    return "，".join(parts) + "。" if parts else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)
