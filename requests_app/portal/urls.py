"""/portal/<organization code>/…: the requester's pages (``requests_app.portal.views``)."""

from django.urls import path

from requests_app.portal import views

app_name = "portal"

urlpatterns = [
    path("<slug:code>/", views.request_form, name="form"),
    path("<slug:code>/status/", views.status, name="status"),
    path("<slug:code>/status/case/", views.case_status, name="case"),
    path("<slug:code>/status/out/", views.sign_out, name="sign_out"),
    path("<slug:code>/link/<str:token>/", views.link, name="link"),
    path("<slug:code>/link/<str:token>/file/", views.link_file, name="link_file"),
    path("<slug:code>/link/<str:token>/file/<int:enclosure>/", views.link_file, name="link_enclosure"),
]
