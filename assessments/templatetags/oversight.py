"""The stop button's banner on staff pages: ``{% load oversight %}{% automation_banner id %}``.

Any staff template can show it (results, review, admin) without its view knowing about pauses.
"""

from django import template

from assessments.models import AutomationPause
from assessments.selectors import current_pause

register = template.Library()


@register.inclusion_tag("staff/_automation_banner.html")
def automation_banner(assessment_id: int | None, admin: bool = False) -> dict:
    """ "Automation paused since … by …" when the assessment's automation is paused."""
    pauses = [current_pause(assessment_id)] if assessment_id else []
    return {"pauses": [pause for pause in pauses if pause is not None], "admin": admin}


@register.inclusion_tag("staff/_automation_banner.html")
def automation_banners() -> dict:
    """The banner of every assessment whose automation is paused (pages across assessments)."""
    pauses = AutomationPause.objects.filter(resumed_at__isnull=True).select_related(
        "assessment", "paused_by"
    )
    return {"pauses": list(pauses), "admin": False, "named": True}
