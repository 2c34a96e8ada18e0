"""The blocks of ``configs/_base_/datasets/multi_dataset_topdown_256x192.py``
(``<name>_train``, ``<name>_val``, ``<name>_metric``) pointed at the samples
shipped in ``data/``, with GT boxes."""
import os.path as osp

from mmengine.config import Config

from ..configs.test_configs import mpii_headboxes
from ..conftest import REPO_ROOT

MULTI_DATASET_BASE = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                              'multi_dataset_topdown_256x192.py')
# block name -> (sample folder, annotation file); APT-36K is AP-10K's format.
SAMPLES = {
    'coco': ('sample_coco', 'test_coco.json'),
    'aic': ('sample_aic', 'test_aic.json'),
    'mpii': ('sample_mpii', 'test_mpii.json'),
    'crowdpose': ('sample_crowdpose', 'test_crowdpose.json'),
    'ap10k': ('sample_ap10k', 'test_ap10k.json'),
    'apt36k': ('sample_ap10k', 'test_ap10k.json'),
    'wholebody': ('sample_coco', 'test_coco_wholebody.json'),
}


def sample_blocks(tmp_dir: str) -> Config:
    """The base's blocks at the samples (MPII head boxes written to
    ``tmp_dir``, the samples having no .mat)."""
    cfg = Config.fromfile(MULTI_DATASET_BASE)
    for name, (folder, ann_file) in SAMPLES.items():
        root = osp.join(REPO_ROOT, 'data', folder) + '/'
        for split in ('train', 'val'):
            block = cfg[f'{name}_{split}']
            block.update(
                data_root=root, ann_file=ann_file, data_prefix=dict(img=''))
            if 'bbox_file' in block:
                block.bbox_file = None
            if 'headbox_file' in block:
                block.headbox_file = osp.join(tmp_dir, 'mpii_headboxes.mat')
                mpii_headboxes(root + ann_file, block.headbox_file)
        metric = cfg[f'{name}_metric']
        if 'ann_file' in metric:
            metric.ann_file = root + ann_file
    return cfg
