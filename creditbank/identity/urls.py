from django.urls import path

from creditbank.identity import views

app_name = "identity"
urlpatterns = [
    path("verification/", views.verification, name="verification"),
    path("verification/withdraw/", views.verification_withdraw, name="verification_withdraw"),
    path("review/verifications/", views.review_queue, name="review_queue"),
    path("review/verifications/<int:attempt_id>/", views.review_detail, name="review_detail"),
    path("review/verifications/<int:attempt_id>/photo/<str:side>/", views.review_photo, name="review_photo"),
    path("review/verifications/<int:attempt_id>/reveal/", views.review_reveal, name="review_reveal"),
    path("review/verifications/<int:attempt_id>/reset/", views.review_reset, name="review_reset"),
]
