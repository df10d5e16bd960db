from django.urls import path

from creditbank.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("outcomes/", views.outcome_list, name="list"),
    path("outcomes/new/", views.outcome_new, name="new"),
    path("outcomes/<int:outcome_id>/", views.outcome_detail, name="detail"),
    path("outcomes/<int:outcome_id>/edit/", views.outcome_edit, name="edit"),
    path("outcomes/<int:outcome_id>/apply/", views.outcome_apply, name="apply"),
    path("outcomes/<int:outcome_id>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("certifications/<int:application_id>/withdraw/", views.application_withdraw, name="withdraw"),
    path("review/certifications/", views.review_queue, name="review_queue"),
    path("review/certifications/<int:application_id>/", views.review_detail, name="review_detail"),
    path(
        "review/certifications/<int:application_id>/evidence/<int:evidence_id>/",
        views.review_evidence,
        name="review_evidence",
    ),
    path("standards/", views.standard_list, name="standards"),
    path("standards/manage/", views.standards_manage, name="standards_manage"),
    path("standards/manage/<int:standard_id>/", views.standard_edit, name="standard_edit"),
    path("institutions/<slug:code>/outcomes/", views.institution_outcomes, name="institution_outcomes"),
    path("standards/<int:standard_id>/", views.standard_detail, name="standard"),
]
