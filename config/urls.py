"""Every URL of the site, in one place: each app mounts its own `urls.py` here."""

from django.conf import settings
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import views as portal_views

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("plan.json", portal_views.plan_json, name="plan_json"),
    path("plan.csv", portal_views.plan_csv, name="plan_csv"),
    path("", include("portal.urls")),
    path("", include("privacy.urls")),
    path("accounts/", include("allauth.urls")),
    # Wagtail's own sign-in, sign-out and password reset have no second factor, no sign-in
    # limit and no reset limit: every one of them goes to allauth instead (ADR 0002).
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/logout/", portal_views.admin_logout, name="admin_logout"),
    path("admin/password_reset/", RedirectView.as_view(url=reverse_lazy("account_reset_password"))),
    path(
        "admin/password_reset/<path:rest>", RedirectView.as_view(url=reverse_lazy("account_reset_password"))
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("feedback/", include("feedback.urls")),
    path("surveys/", include("surveys.urls")),
    path("youth-forum/", include("youthforum.urls")),
    path("board/", include("boardpacks.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's front-end sign-in (/_util/login/, used for private pages) is Django's plain
# LoginView: no rate limit on failed attempts and no second factor, so it would get round both.
# Send it to the allauth sign-in, which has them; `next` is kept.
urlpatterns.append(
    path("_util/login/", RedirectView.as_view(pattern_name="account_login", query_string=True))
)
urlpatterns.append(path("", include(wagtail_urls)))

handler400 = "portal.views.error_400"
handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"
