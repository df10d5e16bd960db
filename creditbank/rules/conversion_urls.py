from django.urls import path

from creditbank.rules import conversion_views as views

app_name = "conversions"
urlpatterns = [
    path("conversions/", views.conversion_list, name="list"),
    path("conversions/apply/<int:rule_id>/", views.conversion_apply, name="apply"),
    path("conversions/<int:application_id>/withdraw/", views.conversion_withdraw, name="withdraw"),
    path("review/conversions/", views.review_queue, name="review_queue"),
    path("review/conversions/<int:application_id>/", views.review_detail, name="review_detail"),
    path("pathways/", views.pathway_list, name="pathways"),
]
