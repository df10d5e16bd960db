from django.urls import path

from creditbank.outcomes import import_views

app_name = "outcome_imports"
urlpatterns = [
    path("institutions/<slug:code>/imports/", import_views.imports_page, name="list"),
    path("institutions/<slug:code>/imports/<int:job_id>/", import_views.job_page, name="job"),
]
