from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Settle operations"
admin.site.site_title = "Settle admin"

urlpatterns = [
    path("", include("disputes.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
