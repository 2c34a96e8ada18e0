"""Runs the learnability test last and, without pytest-xdist, starts its
training (:mod:`.learnability_run`) as soon as the session has collected it;
``tests/conftest.py`` does that for an xdist session."""
from .learnability_run import is_learnability_test, start_training


def pytest_collection_modifyitems(items: list) -> None:
    # Last, so that every other test runs while the training does.
    items.sort(key=lambda item: is_learnability_test(item.nodeid))


def pytest_collection_finish(session) -> None:
    # An xdist worker's training is started by the controller.
    if session.config.option.collectonly or hasattr(session.config,
                                                    'workerinput'):
        return
    if any(is_learnability_test(item.nodeid) for item in session.items):
        start_training(session.config)
