from django import template

from interviewloop.roles import role_names

register = template.Library()


@register.filter
def has_role(user, group: str) -> bool:
    return group in role_names(user)
