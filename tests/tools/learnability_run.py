"""The learnability benchmark's training run (the README's main job), which
the test session starts in the background as soon as it has collected
``test_learnability.py`` (``tests/tools/conftest.py``): its ~15 minutes of
training on one core then overlap the rest of the suite instead of
following it."""
import os.path as osp
import sys
from typing import NamedTuple

import pytest

from .helpers import REPO_ROOT, BackgroundRun

CONFIG = osp.join(REPO_ROOT, 'configs', 'vitpose_synthetic',
                  'td-hm_ViTPose-tiny_synthetic-128x96.py')


class LearnabilityTraining(NamedTuple):
    """The training subprocess and its work dir."""
    run: BackgroundRun
    work_dir: str


#: Where the session keeps the training, for the test to wait on.
RUN_KEY = pytest.StashKey[LearnabilityTraining]()


def start_training(work_dir: str) -> LearnabilityTraining:
    """Start ``tools/train.py CONFIG --work-dir work_dir`` (it generates the
    synthetic splits into data/synthetic_coco/ when they are missing), its
    log in ``train.log`` beside ``work_dir``."""
    run = BackgroundRun(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir', work_dir],
        cwd=REPO_ROOT, log_path=osp.join(osp.dirname(work_dir), 'train.log'))
    return LearnabilityTraining(run, work_dir)
