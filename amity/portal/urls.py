"""The public site's pages (no sign-in): the national home, each province's home, news, events and the NGO
directory; sitemap.xml and robots.txt. Staff write the news under /portal/news/ (signed in). Published figures
and open data are in `data_urls.py`; the public API in `api/urls.py`. `/` itself is `views.home` (config/urls.py):
the public home for visitors, the staff home for signed-in users."""

from django.contrib.sitemaps.views import sitemap
from django.urls import URLPattern, URLResolver, path

from . import staff_views, views
from .feeds import NewsFeed
from .public import public_page
from .sitemaps import SITEMAPS

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("public/", views.public_home, name="home"),
    path("p/<str:code>/", views.province_home, name="province_home"),
    path("news/", views.news_list, name="news"),
    path("news/feed.atom", public_page(NewsFeed()), name="news_feed"),
    path("news/<uuid:public_id>/", views.news_article, name="news_article"),
    path("news/<uuid:public_id>/files/<str:name>", views.news_file, name="news_file"),
    path("p/<str:code>/news/", views.news_list, name="province_news"),
    path("p/<str:code>/news/feed.atom", public_page(NewsFeed()), name="province_news_feed"),
    path("events/", views.events_list, name="events"),
    path("events/feed.ics", views.events_ics, name="events_ics"),
    path("events/<uuid:public_id>/", views.event_detail, name="event"),
    path("p/<str:code>/events/", views.events_list, name="province_events"),
    path("ngos/", views.directory, name="directory"),
    path("ngos/<uuid:public_id>/", views.directory_entry, name="ngo"),
    path(
        "sitemap.xml",
        public_page(sitemap, params=("p",)),
        {"sitemaps": SITEMAPS, "template_name": "portal/sitemap.xml"},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    # Staff: writing, reviewing and publishing news.
    path("portal/news/", staff_views.NewsListView.as_view(), name="news_staff_list"),
    path("portal/news/new/", staff_views.NewsEditView.as_view(), name="news_create"),
    path("portal/news/<uuid:public_id>/", staff_views.NewsDetailView.as_view(), name="news_edit_page"),
    path("portal/news/<uuid:public_id>/edit/", staff_views.NewsEditView.as_view(), name="news_edit"),
    path("portal/news/<uuid:public_id>/preview/", staff_views.news_preview, name="news_preview"),
    path("portal/news/<uuid:public_id>/step/", staff_views.NewsStepView.as_view(), name="news_step"),
    path("portal/news/<uuid:public_id>/files/<str:name>", staff_views.news_staff_file, name="news_staff_file"),
]
