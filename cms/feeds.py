"""Atom and RSS feeds of "You said, we did" updates (Django's syndication framework)."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from . import selectors


class YouSaidWeDidAtomFeed(Feed):
    """The newest 30 published updates. Feed readers get the summary and the action, as text."""

    feed_type = Atom1Feed

    def __init__(self, index):
        super().__init__()
        self.index = index

    def title(self):
        return "You said, we did – SEND Voice"

    def link(self):
        return self.index.url

    def subtitle(self):
        return self.index.intro or "What people told us about SEND services and what we did."

    description = subtitle

    def items(self):
        return list(selectors.yswd_list(index=self.index)[:30])

    def item_title(self, item):
        return f"{item.title} ({item.get_status_display()})"

    def item_description(self, item):
        return f"You said: {item.summary}\n\nWe did: {item.action}"

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [o.code for o in item.objectives.all()] + [t.label for t in item.themes.all()]


class YouSaidWeDidRssFeed(YouSaidWeDidAtomFeed):
    feed_type = Rss201rev2Feed
