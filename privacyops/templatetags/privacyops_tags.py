from django import template

register = template.Library()


@register.filter
def dictvalue(mapping, key):
    """``mapping|dictvalue:key``: a dict lookup with a variable key."""
    try:
        return mapping[key]
    except (KeyError, TypeError):
        return ()
