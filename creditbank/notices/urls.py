from django.urls import path

from creditbank.notices import views

app_name = "notices"
urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/<int:notice_id>/", views.notice_detail, name="detail"),
    path("support/tickets/", views.tickets, name="tickets"),
    path("support/tickets/<int:ticket_id>/", views.ticket, name="ticket"),
    path("support/tickets/<int:ticket_id>/close/", views.ticket_close, name="ticket_close"),
    path("support/tickets/<int:ticket_id>/reopen/", views.ticket_reopen, name="ticket_reopen"),
    path("support/tickets/<int:ticket_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("support/queue/", views.support_queue, name="support_queue"),
    path("support/queue/<int:ticket_id>/", views.support_ticket, name="support_ticket"),
]
