"""The learnability benchmark's training run (the README's main job), which
the test session starts in the background as soon as it knows the
learnability test will run: its minutes of training then overlap the rest of
the suite instead of following it.

Without pytest-xdist the session starts it after collection
(``tests/tools/conftest.py``); with pytest-xdist the controller starts it
when a worker reports the test among its collected items and tells every
worker where it runs (``tests/conftest.py``). Either way the test waits on
the files the run leaves in its folder: ``train.log``, ``returncode`` and the
``work_dir``."""
import os.path as osp
import shutil
import sys
import tempfile
from typing import Optional

import pytest

from .helpers import REPO_ROOT, BackgroundRun, wait_for_background_run

CONFIG = osp.join(REPO_ROOT, 'configs', 'vitpose_synthetic',
                  'td-hm_ViTPose-tiny_synthetic-128x96.py')
TEST_FILE = 'test_learnability.py'
TEST_NAME = 'test_synthetic_recipe_generalises'
#: The key of the run's folder in an xdist worker's ``workerinput``.
WORKER_INPUT_KEY = 'vitpose_learnability_root'

_ROOT_KEY = pytest.StashKey[str]()
_RUN_KEY = pytest.StashKey[BackgroundRun]()


def is_learnability_test(nodeid: str) -> bool:
    """Whether a test id names the learnability test."""
    return nodeid.split('::')[0].endswith(TEST_FILE) and \
        nodeid.endswith('::' + TEST_NAME)


def training_root(config: pytest.Config) -> str:
    """The folder of this session's run, made on first use by the process
    that starts it (xdist workers read it from their ``workerinput``)."""
    root = _controller_root(config)
    if root is not None:
        return root
    if _ROOT_KEY not in config.stash:
        config.stash[_ROOT_KEY] = tempfile.mkdtemp(
            prefix='vitpose-learnability-')
    return config.stash[_ROOT_KEY]


def _controller_root(config: pytest.Config) -> Optional[str]:
    """In an xdist worker, the folder of the controller's run."""
    return getattr(config, 'workerinput', {}).get(WORKER_INPUT_KEY)


def start_training(config: pytest.Config) -> None:
    """Start ``tools/train.py CONFIG`` in :func:`training_root`, once per
    session (it generates the synthetic splits when they are missing); a
    no-op in an xdist worker whose controller runs it."""
    if _RUN_KEY in config.stash or _controller_root(config) is not None:
        return
    root = training_root(config)
    config.stash[_RUN_KEY] = BackgroundRun(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir',
         osp.join(root, 'work_dir')],
        cwd=REPO_ROOT, log_path=osp.join(root, 'train.log'),
        returncode_path=osp.join(root, 'returncode'))


def wait_for_training(root: str, timeout: float) -> str:
    """Wait for the run in ``root`` (a hang guard of ``timeout`` seconds);
    return its work dir. An AssertionError with its log if it failed."""
    seconds = wait_for_background_run(
        osp.join(root, 'returncode'), osp.join(root, 'train.log'), timeout)
    print(f'learnability: {seconds / 60:.1f} min of training (wall time, '
          'beside the other tests)')
    return osp.join(root, 'work_dir')


def stop_training(config: pytest.Config) -> Optional[str]:
    """End the run this process started, if any (a session that ends early
    leaves no trainer behind), and remove its folder."""
    run = config.stash.get(_RUN_KEY, None)
    if run is not None:
        run.stop()
    root = config.stash.get(_ROOT_KEY, None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)
    return root
