"""The public pages of released replies (anyone, no login) and the congress office's release step."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("public/", public_views.public_list, name="public-list"),
    path("public/<int:pk>/", public_views.public_detail, name="public-detail"),
    path("public/<int:pk>/pdf/", public_views.public_pdf, name="public-pdf"),
    path("replies/releases/", public_views.release_list, name="release-list"),
    path("replies/<int:pk>/release/", public_views.release_new, name="release-new"),
]
