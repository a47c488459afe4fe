"""Board packs, mounted at /board/ (the middleware forces two-factor authentication there)."""

from django.urls import path

from . import views

app_name = "boardpacks"

urlpatterns = [
    path("", views.pack_list, name="list"),
    path("build/", views.pack_build, name="build"),
    path("packs/<int:pk>/", views.pack_detail, name="detail"),
    path("packs/<int:pk>/pack.pdf", views.pack_pdf_view, name="pdf"),
    path("packs/<int:pk>/data.xlsx", views.pack_xlsx, name="xlsx"),
    path("packs/<int:pk>/data/<slug:key>.<str:fmt>", views.chart_data, name="chart_data"),
]
