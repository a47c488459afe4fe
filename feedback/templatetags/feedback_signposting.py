"""`{% crisis_signposting strong=… easy=… %}` on every confirmation page (feedback thanks,
survey done, youth forum after sending a view): a short line where to get help always, and the
full crisis numbers when the quick screen at submit time thought the words may show a child at
risk (`feedback.analysis.safeguarding_quick_screen`). The local number is a setting
(SAFEGUARDING_CONTACT_PHONE): every area has its own, so none is built in."""

from django import template

from feedback import conf

register = template.Library()


@register.inclusion_tag("feedback/includes/crisis_signposting.html")
def crisis_signposting(strong=False, easy=False):
    return {"strong": bool(strong), "easy": bool(easy), "local_contact": conf.safeguarding_contact_phone()}
