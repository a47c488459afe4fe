"""Writes for the CMS: making sure the site's fixed pages exist."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from .models import HomePage, PlanTrackerPage

HOME_INTRO = (
    "Tell us what it is like to get support for special educational needs and disabilities "
    "(SEND), see what we are changing because of what you said, and follow our improvement plan."
)
HOME_EASY_READ = (
    "This website is about help for children and young people with SEND. "
    "You can tell us what you think. We listen. We tell you what we changed."
)


def _root_page_create() -> Page:
    """Wagtail's migrations create the tree root; a flushed database (transactional tests)
    has none, so make one the same way."""
    locale = Locale.objects.first() or Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.add_root(instance=Page(title="Root", slug="root", locale=locale,
                                       content_type=ContentType.objects.get_for_model(Page)))


@transaction.atomic
def site_ensure() -> HomePage:
    """Create the home page, its Site and the plan tracker at /plan/ if they are missing.
    Idempotent: running it again changes nothing."""
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's placeholder "Welcome" page (plain Page, slug "home") makes way for ours.
        for page in Page.objects.filter(depth=2).specific():
            if type(page) is Page:
                page.delete()
        root = Page.get_first_root_node() or _root_page_create()
        home = HomePage(title="Your voice in SEND", slug="home", intro=HOME_INTRO,
                        easy_read_intro=HOME_EASY_READ)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="SEND Voice")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    if not PlanTrackerPage.objects.exists():
        tracker = PlanTrackerPage(
            title="Our improvement plan", slug="plan",
            intro=("How we are doing on each part of the SEND improvement plan. Each objective "
                   "has a rating: Blue, Green, Amber or Red."),
            easy_read_intro="This is our plan to make SEND help better. We show how we are doing.",
        )
        home.add_child(instance=tracker)
        tracker.save_revision().publish()
    return home
