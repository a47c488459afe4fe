import pytest


@pytest.fixture
def feedback_setup(plan):
    """The real plan, the school list and the theme taxonomy linked to the plan's objectives."""
    from feedback.selectors import analysis_context_reset
    from feedback.services import school_seed, theme_seed

    school_seed()
    theme_seed()
    analysis_context_reset()
    yield plan
    analysis_context_reset()


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """feedback_ingest with on-commit callbacks run (eager Celery: analysis runs in-process)."""
    from feedback.services import feedback_ingest

    def _ingest(**kwargs):
        kwargs.setdefault("channel", "web_form")
        kwargs.setdefault("audience", "parent_carer")
        with django_capture_on_commit_callbacks(execute=True):
            item = feedback_ingest(**kwargs)
        item.refresh_from_db()
        return item

    return _ingest
