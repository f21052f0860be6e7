from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # The review UI (issue 3) takes over "/"; until then the admin portal is the front door.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
