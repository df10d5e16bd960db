from django.urls import path

from creditbank.ledger import views

app_name = "ledger"
urlpatterns = [
    path("credits/", views.credits_page, name="credits"),
    path("credits/export.csv", views.credits_export, name="credits_export"),
    path("staff/credits/", views.staff_lookup, name="staff_lookup"),
    path("staff/credits/<int:account_id>/", views.staff_account, name="staff_account"),
]
