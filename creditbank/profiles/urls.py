from django.urls import path

from creditbank.profiles import views

app_name = "profiles"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="edit"),
    path("profile/email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("profile/phone/confirm/", views.phone_confirm, name="phone_confirm"),
    path("profile/history/", views.history, name="history"),
    path("profile/change-requests/", views.change_requests, name="change_requests"),
    path(
        "profile/change-requests/<int:request_id>/withdraw/",
        views.change_request_withdraw,
        name="change_request_withdraw",
    ),
    path("profile/<str:kind>/", views.history_list, name="history_list"),
    path("profile/<str:kind>/<int:entry_id>/", views.history_edit, name="history_edit"),
    path("profile/<str:kind>/<int:entry_id>/delete/", views.history_delete, name="history_delete"),
    path("profile/<str:kind>/<int:entry_id>/evidence/", views.history_evidence, name="history_evidence"),
    path("review/change-requests/", views.review_queue, name="review_queue"),
    path("review/change-requests/<int:request_id>/", views.review_detail, name="review_detail"),
    path("review/change-requests/<int:request_id>/proof/<int:proof_id>/", views.review_proof, name="review_proof"),
]
