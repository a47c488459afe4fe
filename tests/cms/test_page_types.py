"""One WagtailPageTestCase smoke test per page type: where it may be created, and that an
editor can create it through the admin with the required fields."""

from django.contrib.auth import get_user_model
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import (
    EventIndexPage,
    EventPage,
    HomePage,
    NewsIndexPage,
    NewsletterPage,
    NewsPage,
    PlanTrackerPage,
    SearchPage,
    StandardPage,
    YouSaidWeDidIndexPage,
    YouSaidWeDidPage,
)
from cms.services import site_ensure
from tests.auth import sign_in


class PageTypeTests(WagtailPageTestCase):
    def setUp(self):
        self.home = site_ensure()
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        self.user = get_user_model().objects.create_superuser(
            email="editor@example.org", password="x-Secret-123"
        )
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=self.user, email=self.user.email, verified=True, primary=True)
        self.user.totp_secret = generate_totp_secret()
        TOTP.activate(self.user, self.user.totp_secret)  # staff pages need two-factor
        sign_in(self.client, self.user, password="x-Secret-123")

    def test_home(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(HomePage, HomePage)

    def test_plan_tracker(self):
        self.assertAllowedParentPageTypes(PlanTrackerPage, {HomePage})
        self.assertPageIsRoutable(PlanTrackerPage.objects.get())

    def test_you_said_we_did_index_and_page(self):
        self.assertAllowedParentPageTypes(YouSaidWeDidIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(YouSaidWeDidIndexPage, {YouSaidWeDidPage})
        self.assertAllowedSubpageTypes(YouSaidWeDidPage, set())
        self.assertCanNotCreateAt(HomePage, YouSaidWeDidPage)
        index = YouSaidWeDidIndexPage.objects.get()
        data = nested_form_data(
            {
                "title": "Plans on time",
                "slug": "plans-on-time",
                "summary": "Families told us plans take too long.",
                "action": "We hired staff.",
                "partner": "Oxfordshire County Council",
                "status": "in_progress",
                "status_reason": "",
                "action_date": "2026-11-01",
                "easy_read_picture": "⏱️",
                "easy_read_summary": "Plans will be quicker.",
                "feedback_links": inline_formset([]),
                "body": streamfield([("paragraph", rich_text("<p>More to come.</p>"))]),
            }
        )
        self.assertCanCreate(index, YouSaidWeDidPage, data)
        self.assertPageIsRenderable(YouSaidWeDidPage.objects.get())
        self.assertPageIsPreviewable(YouSaidWeDidPage.objects.get(), post_data=data, user=self.user)

    def test_standard_page(self):
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreateAt(StandardPage, StandardPage)
        self.assertCanCreate(
            self.home,
            StandardPage,
            nested_form_data(
                {
                    "title": "About",
                    "slug": "about",
                    "summary": "Who we are.",
                    "easy_read_summary": "",
                    "body": streamfield(
                        [
                            ("heading", {"text": "Who we are", "level": "h2"}),
                            ("easy_read", {"picture": "🏫", "text": "We help.", "image": ""}),
                        ]
                    ),
                }
            ),
        )

    def test_news(self):
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertCanCreate(
            NewsIndexPage.objects.get(),
            NewsPage,
            nested_form_data(
                {
                    "title": "Story",
                    "slug": "story",
                    "date": "2026-11-01",
                    "summary": "Something.",
                    "easy_read_summary": "",
                    "body": streamfield([]),
                }
            ),
        )

    def test_events(self):
        self.assertAllowedSubpageTypes(EventIndexPage, {EventPage})
        self.assertCanCreate(
            EventIndexPage.objects.get(),
            EventPage,
            nested_form_data(
                {
                    "title": "SEND conversation",
                    "slug": "send-conversation",
                    "kind": "send_conversation",
                    "starts_at": "2026-12-01 18:00",
                    "ends_at": "",
                    "location": "Banbury",
                    "audience": "",
                    "booking_url": "",
                    "summary": "Talk to us.",
                    "easy_read_summary": "",
                    "body": streamfield([]),
                }
            ),
        )

    def test_newsletter_and_search(self):
        self.assertAllowedParentPageTypes(NewsletterPage, {HomePage})
        self.assertAllowedParentPageTypes(SearchPage, {HomePage})
        self.assertPageIsRoutable(NewsletterPage.objects.get())
        self.assertPageIsRenderable(SearchPage.objects.get())
