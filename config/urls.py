from django.contrib import admin
from django.urls import include, path

from governance.views import errors

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("governance.urls")),
]

handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
