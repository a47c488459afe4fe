from django.urls import path

from . import views

app_name = "youthforum"

urlpatterns = [
    path("", views.index, name="index"),
    path("join/", views.join, name="join"),
    path("join/done/", views.joined, name="joined"),
    path("consent/<str:token>/", views.consent, name="consent"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:token>/", views.sign_in_link, name="sign_in_link"),
    path("questions/<str:pk>/", views.prompt, name="prompt"),
    path("my-views/", views.my_views, name="my_views"),
    path("votes/<str:pk>/", views.vote, name="vote"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<str:pk>/", views.meeting, name="meeting"),
    path("terms-of-reference/", views.terms, name="terms"),
    path("terms-of-reference/draft/", views.terms_draft, name="terms_draft"),
    path("report/", views.report, name="report"),
    path("leave/", views.leave, name="leave"),
]
