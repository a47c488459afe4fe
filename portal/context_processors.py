from django.conf import settings

from .roles import user_roles


def site_chrome(request):
    """Values every page's header and footer need: site name, easy-read mode, user roles."""
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "easy_read": request.COOKIES.get("easy_read") == "1" or request.GET.get("easy_read") == "1",
        "current_roles": user_roles(getattr(request, "user", None)),
    }
