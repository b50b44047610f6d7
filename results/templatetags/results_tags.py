from django import template

from results.presenters import duration

register = template.Library()

register.filter("duration_text", duration)
