"""Pose-model configs of the repository, and a small version of any of
them for CPU tests."""
import copy
import glob
import os.path as osp
import re
from pathlib import Path
from typing import List, Optional

from mmengine.config import Config

from vitpose_plugin.apis import is_multi_dataset

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Model types of pose models.
POSE_MODELS = ('TopdownPoseEstimator', 'ViTPoseMultiDatasetEstimator')
#: The other model types of configs/, and why they are no pose models.
NOT_POSE_MODELS = {
    'MAE': 'MAE pre-training reconstructs masked image patches; it '
    'predicts no keypoints (its backbone initialises the pose configs)',
    'ViTPoseTokenDistiller': 'distillation trains a student beside a '
    'frozen teacher; the student, extracted with tools/model_converters/'
    'extract_student.py, is a TopdownPoseEstimator config',
    'ViTPoseKnowledgeTokenTuner': 'knowledge-token tuning trains tokens '
    'for a frozen teacher, whose own config is a TopdownPoseEstimator',
}
TINY_CONFIG = osp.join(REPO_ROOT, 'configs', 'vitpose_synthetic',
                       'td-hm_ViTPose-tiny_synthetic-128x96.py')
TINY_MULTI_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'vitpose_synthetic',
    'td-hm_ViTPose-tiny-experts_synthetic-coco-aic-mpii-128x96.py')
SAMPLE_IMAGES = sorted(
    glob.glob(osp.join(REPO_ROOT, 'data', 'sample_coco', '*.jpg')))


def truncated_jpeg(folder: Path, name: str = 'truncated.jpg') -> str:
    """A sample JPEG cut to 5,000 bytes (an interrupted download: OpenCV's
    file reader decodes it with a grey lower part) in ``folder``."""
    path = folder / name
    path.write_bytes(Path(SAMPLE_IMAGES[0]).read_bytes()[:5000])
    return str(path)


def experiment_configs() -> List[str]:
    """Every config file under configs/ but the ``_base_`` blocks (found
    without parsing them: a parse takes about 0.5 s)."""
    return [
        path for path in sorted(
            glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                      recursive=True))
        if '_base_' not in path.split(osp.sep)
    ]


def size_variant_base(config: str) -> Optional[str]:
    """The ViTPose-B config that a ViTPose-S/L/H config only resizes: the
    file of the same folder and name with ``base`` for the size, or None.
    (tests/configs/test_zoo_configs.py checks that such a pair differs only
    in the model's size and builds every size at full size.)"""
    match = re.fullmatch(r'td-hm_ViTPose-(small|large|huge)_(.+)',
                         osp.basename(config))
    if not match:
        return None
    base = osp.join(osp.dirname(config), f'td-hm_ViTPose-base_{match[2]}')
    return base if osp.exists(base) else None


def shrink(cfg: Config, width: int = 32) -> Config:
    """A copy of ``cfg`` with a 2-block backbone ``width`` wide (one block
    per entry of a longer attention pattern; heads to match, their deconv
    stages ``width`` wide), no pretrained init; input size, attention types,
    experts, heads, codecs, metainfo and pipelines stay the config's."""
    cfg = copy.deepcopy(cfg)
    backbone = cfg.model.backbone
    pattern = backbone.get('attn_types', 'full')
    depth = 2 if isinstance(pattern, str) or 2 % len(pattern) == 0 \
        else len(pattern)
    backbone.arch = dict(
        embed_dims=width, depth=depth, num_heads=2, mlp_ratio=2)
    backbone.init_cfg = None
    if backbone.get('frozen_stages', -1) > depth:
        backbone.frozen_stages = depth
    if backbone.get('num_experts'):
        backbone.expert_dims = width // 4
    heads = cfg.model.heads.values() if is_multi_dataset(cfg) \
        else [cfg.model.head]
    for head in heads:
        head.in_channels = width
        if head.get('deconv_out_channels'):
            head.deconv_out_channels = (width, ) * len(
                head.deconv_out_channels)
    return cfg
