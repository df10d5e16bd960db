from django.urls import path

from creditbank.institutions import views

app_name = "institutions"
urlpatterns = [
    path("institutions/<slug:code>/manage/", views.manage, name="manage"),
    path("institutions/<slug:code>/accounts/", views.openings, name="openings"),
    path("institutions/<slug:code>/accounts/template/", views.opening_template, name="opening_template"),
    path("institutions/<slug:code>/accounts/<int:opening_id>/", views.opening, name="opening"),
    path("institutions/<slug:code>/accounts/<int:opening_id>/result/", views.opening_result, name="opening_result"),
    path("institutions/<slug:code>/programmes/", views.programmes, name="programmes"),
    path("institutions/<slug:code>/programmes/<str:programme>/", views.programme, name="programme"),
    path("programmes/", views.programmes_public, name="programmes_public"),
    path("programmes/<slug:code>/<str:programme>/", views.programme_public, name="programme_public"),
]
