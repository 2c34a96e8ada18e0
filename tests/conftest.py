import os.path as osp

import pytest
from mmengine.registry import DefaultScope, init_default_scope

from .tools import learnability_run

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SAMPLE_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'vitpose_sample',
    'td-hm_ViTPose-tiny_1xb6-60e_sample-coco-256x192.py')


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def sample_config() -> str:
    return SAMPLE_CONFIG


@pytest.fixture(autouse=True)
def keep_default_scope():
    """Give each test the registry scope the one before it had (mmpose when
    none was set): a tool run in-process (e.g. ``train_throughput`` on an
    MAE config) makes mmpretrain mmengine's current default scope, which the
    next test would inherit."""
    before = DefaultScope.get_current_instance()
    expected = before.scope_name if before is not None else 'mmpose'
    yield
    after = DefaultScope.get_current_instance()
    if after is not None and after.scope_name != expected:
        init_default_scope(expected)


# The learnability training (tests/tools/learnability_run.py) under
# pytest-xdist: the controller collects nothing itself, so it starts the run
# when a worker reports the test among its items, and tells every worker
# where the run's files are.
@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    node.workerinput[learnability_run.WORKER_INPUT_KEY] = \
        learnability_run.training_root(node.config)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids) -> None:
    if not node.config.option.collectonly and \
            any(map(learnability_run.is_learnability_test, ids)):
        learnability_run.start_training(node.config)


def pytest_sessionfinish(session) -> None:
    learnability_run.stop_training(session.config)
