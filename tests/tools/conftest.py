"""Starts the learnability training beside the other tests
(:mod:`.learnability_run`) when the session is about to run its test, and
runs that test last."""
import os.path as osp
import shutil
import tempfile

from .learnability_run import RUN_KEY, start_training

LEARNABILITY_TEST = ('test_learnability.py', 'test_synthetic_recipe_generalises')


def pytest_collection_modifyitems(items: list) -> None:
    # Last, so that every other test runs while the training does.
    items.sort(key=lambda item: (item.path.name, item.name) ==
               LEARNABILITY_TEST)


def pytest_collection_finish(session) -> None:
    # Under pytest-xdist every worker collects every test: the worker that
    # is given the test starts the training itself.
    if session.config.option.collectonly or hasattr(session.config,
                                                    'workerinput'):
        return
    selected = {(item.path.name, item.name) for item in session.items}
    if LEARNABILITY_TEST in selected:
        root = tempfile.mkdtemp(prefix='vitpose-learnability-')
        session.config.stash[RUN_KEY] = start_training(
            osp.join(root, 'work_dir'))


def pytest_sessionfinish(session) -> None:
    training = session.config.stash.get(RUN_KEY, None)
    if training is not None:
        # a session that ends early (-x, Ctrl-C) leaves no trainer behind
        training.run.stop()
        shutil.rmtree(osp.dirname(training.work_dir), ignore_errors=True)
