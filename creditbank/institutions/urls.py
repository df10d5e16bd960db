from django.urls import path

from creditbank.institutions import views

app_name = "institutions"
urlpatterns = [
    path("institutions/<slug:code>/manage/", views.manage, name="manage"),
]
