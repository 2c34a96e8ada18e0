import os.path as osp

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SAMPLE_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'vitpose_sample',
    'td-hm_ViTPose-tiny_1xb6-200e_sample-coco-256x192.py')


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def sample_config() -> str:
    return SAMPLE_CONFIG
