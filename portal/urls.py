from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("account/home/", views.home, name="home"),
    path("easy-read/", views.easy_read, name="easy_read"),
]
