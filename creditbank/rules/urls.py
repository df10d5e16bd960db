from django.urls import path

from creditbank.rules import views

app_name = "rules"
urlpatterns = [
    path("rules/", views.rule_list, name="list"),
    path("rules/<int:rule_id>/", views.rule_detail, name="detail"),
    path("institutions/<slug:code>/rules/", views.rules_manage, name="manage"),
    path("institutions/<slug:code>/rules/import/", views.rules_import, name="import"),
    path("institutions/<slug:code>/rules/<int:rule_id>/", views.rule_edit, name="edit"),
]
