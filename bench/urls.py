"""Mounted at /bench/ only when BENCH_BASELINE=1 (config/urls.py): never in a deployment."""

from django.urls import path

from bench import views

app_name = "bench"
urlpatterns = [
    path("baseline/insert/", views.baseline_insert, name="baseline-insert"),
    path("baseline/render/", views.baseline_render, name="baseline-render"),
]
