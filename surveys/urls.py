from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("i/<str:token>/", views.invitation_open, name="invitation"),
    path("resume/<str:token>/", views.survey_resume, name="resume"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.survey_start, name="start"),
    path("<slug:slug>/page/<int:number>/", views.survey_page, name="page"),
    path("<slug:slug>/check/", views.survey_check, name="check"),
    path("<slug:slug>/save/", views.survey_save, name="save"),
    path("<slug:slug>/done/", views.survey_done, name="done"),
]
