"""The single-dataset zoo: every ViTPose-S/B/L/H config of the official
repository (ViTAE-Transformer/ViTPose, configs/) with its hyper-parameters,
the face and hand configs beyond it, each size built at full size on the
meta device. One runner iteration per family runs in test_configs.py (the
B config); here each S/L/H config is checked to differ from its B config
only in the model's size.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpose.registry import MODELS

from ..conftest import REPO_ROOT
from .test_configs import (CONFIGS, VIT_SIZES, parameters_on_meta,
                           size_variant_base)

ALL_SIZES = ('small', 'base', 'large', 'huge')
COCO_CODEC_TYPE = Config.fromfile(
    osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
             'coco_topdown_256x192.py')).codec.type
# the official config's heatmaps -> the device codec drawing them
CODEC_TYPES = dict(udp=COCO_CODEC_TYPE, msra='ViTPoseMSRAHeatmap')
# the paper's (COCO) recipe: size -> layer decay
PAPER_LAYER_DECAY = dict(small=0.8, base=0.75, large=0.8, huge=0.85)
PAPER_DROP_PATH = {size: drop for size, (_, _, drop) in VIT_SIZES.items()}
# the official single-dataset configs but COCO's: drop path 0.3 everywhere
OFFICIAL_DROP_PATH = dict.fromkeys(ALL_SIZES, 0.3)


@dataclass
class Family:
    """One dataset's configs and the recipe they must have."""
    folder: str
    stem: str  # the file name after td-hm_ViTPose-<size>_
    keypoints: int
    input_size: Tuple[int, int]  # (H, W)
    dataset: str
    metrics: Tuple[str, ...]
    save_best: str
    paper_recipe: bool  # AdamW + layer decay + clip (else official Adam)
    sizes: Tuple[str, ...] = ALL_SIZES
    epochs: int = 210
    milestones: Tuple[int, int] = (170, 200)
    batch: int = 64
    sigma: float = 2
    heatmaps: str = 'udp'  # the official config's: 'udp' or 'msra'
    box_padding: float = 1.25  # GetBBoxCenterScale's (MMPose's default)
    detector_boxes: bool = False
    drop_path: Optional[Dict[str, float]] = None
    train_dataset: Optional[str] = None
    extra: dict = field(default_factory=dict)

    def config(self, size: str) -> str:
        return osp.join(REPO_ROOT, 'configs', self.folder,
                        f'td-hm_ViTPose-{size}_{self.stem}.py')

    def expected_drop_path(self, size: str) -> float:
        default = PAPER_DROP_PATH if self.paper_recipe else OFFICIAL_DROP_PATH
        return {**default, **(self.drop_path or {})}[size]


BODY = 'body_2d_keypoint/topdown_heatmap/'
FAMILIES = dict(
    coco=Family(BODY + 'coco', '8xb64-210e_coco-256x192', 17, (256, 192),
                'CocoDataset', ('CocoMetric', ), 'coco/AP', True,
                detector_boxes=True),
    aic=Family(BODY + 'aic', '8xb64-210e_aic-256x192', 14, (256, 192),
               'AicDataset', ('CocoMetric', ), 'coco/AP', False,
               drop_path=dict(large=0.55, huge=0.55), heatmaps='msra'),
    mpii=Family(BODY + 'mpii', '8xb64-210e_mpii-256x192', 16, (256, 192),
                'MpiiDataset', ('MpiiPCKAccuracy', ), 'PCK', False),
    crowdpose=Family(BODY + 'crowdpose', '8xb64-210e_crowdpose-256x192', 14,
                     (256, 192), 'CrowdPoseDataset', ('CocoMetric', ),
                     'crowdpose/AP', False, sizes=('base', 'large', 'huge'),
                     detector_boxes=True, heatmaps='msra'),
    ochuman=Family(BODY + 'ochuman', '8xb64-210e_ochuman-256x192', 17,
                   (256, 192), 'OCHumanDataset', ('CocoMetric', ), 'coco/AP',
                   False, train_dataset='CocoDataset', heatmaps='msra'),
    ap10k=Family('animal_2d_keypoint/topdown_heatmap/ap10k',
                 '8xb64-210e_ap10k-256x192', 17, (256, 192), 'AP10KDataset',
                 ('CocoMetric', ), 'coco/AP', False, heatmaps='msra'),
    apt36k=Family('animal_2d_keypoint/topdown_heatmap/apt36k',
                  '8xb32-210e_apt36k-256x192', 17, (256, 192),
                  'AP10KDataset', ('CocoMetric', ), 'coco/AP', False,
                  batch=32, heatmaps='msra'),
    interhand2d=Family('hand_2d_keypoint/topdown_heatmap/interhand2d',
                       '8xb64-60e_interhand2d-256x192', 21, (256, 192),
                       'InterHand2DSingleHandDataset',
                       ('PCKAccuracy', 'AUC', 'EPE'), 'AUC', False,
                       epochs=60, milestones=(40, 50), box_padding=1.5,
                       heatmaps='msra'),
    wholebody=Family('wholebody_2d_keypoint/topdown_heatmap/coco-wholebody',
                     '8xb64-210e_coco-wholebody-256x192', 133, (256, 192),
                     'CocoWholeBodyDataset', ('CocoWholeBodyMetric', ),
                     'coco-wholebody/AP', False, detector_boxes=True,
                     heatmaps='msra'),
    # beyond the official zoo: MMPose's face/hand data settings, the
    # paper's optimizer
    wflw=Family('face_2d_keypoint/topdown_heatmap/wflw',
                '8xb64-60e_wflw-256x256', 98, (256, 256), 'WFLWDataset',
                ('NME', ), 'NME', True, epochs=60, milestones=(40, 55)),
    face300w=Family('face_2d_keypoint/topdown_heatmap/300w',
                    '8xb64-60e_300w-256x256', 68, (256, 256),
                    'Face300WDataset', ('NME', ), 'NME', True,
                    sizes=('base', ), epochs=60, milestones=(40, 55),
                    sigma=1.5),
    cofw=Family('face_2d_keypoint/topdown_heatmap/cofw',
                '8xb64-60e_cofw-256x256', 29, (256, 256), 'COFWDataset',
                ('NME', ), 'NME', True, sizes=('base', ), epochs=60,
                milestones=(40, 55), sigma=1.5),
    onehand10k=Family('hand_2d_keypoint/topdown_heatmap/onehand10k',
                      '8xb64-210e_onehand10k-256x256', 21, (256, 256),
                      'OneHand10KDataset', ('PCKAccuracy', 'AUC', 'EPE'),
                      'AUC', True, sizes=('base', )),
)
ZOO = [(name, size) for name, family in FAMILIES.items()
       for size in family.sizes]


def zoo_id(entry):
    return f'{entry[0]}-{entry[1]}'


@pytest.fixture(scope='module')
def load_config():
    """``Config.fromfile`` once per file for this module's tests (a load
    costs about a second)."""
    loaded = {}

    def load(path):
        if path not in loaded:
            loaded[path] = Config.fromfile(path)
        return loaded[path]

    return load


def test_every_zoo_config_exists():
    missing = [zoo_id(e) for e in ZOO
               if not osp.exists(FAMILIES[e[0]].config(e[1]))]
    assert not missing


def _check_optimizer(cfg, family, size):
    optim = cfg.optim_wrapper
    optimizer = optim.optimizer
    if family.paper_recipe:
        assert (optimizer.type, optimizer.lr, tuple(optimizer.betas),
                optimizer.weight_decay) == ('AdamW', 5e-4, (0.9, 0.999), 0.1)
        assert optim.constructor == 'ViTPoseLayerDecayConstructor'
        assert optim.paramwise_cfg.layer_decay_rate == \
            PAPER_LAYER_DECAY[size]
        assert optim.clip_grad.max_norm == 1.0
    else:
        # Adam lr 5e-4, nothing else (official non-COCO configs)
        assert dict(optimizer) == dict(type='Adam', lr=5e-4)
        assert 'paramwise_cfg' not in optim and 'constructor' not in optim
        assert optim.get('clip_grad') is None
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.end, warmup.start_factor,
            warmup.by_epoch) == ('LinearLR', 500, 0.001, False)
    assert (steps.type, tuple(steps.milestones), steps.end,
            steps.gamma) == ('MultiStepLR', family.milestones,
                             family.epochs, 0.1)
    assert cfg.train_cfg.max_epochs == family.epochs
    assert cfg.train_dataloader.batch_size == family.batch
    assert cfg.auto_scale_lr.base_batch_size == 8 * family.batch


def _check_data(cfg, family):
    height, width = family.input_size
    # the official config's heatmaps (UDP or MSRA) at a quarter of the
    # input, drawn on the device by the head's codec; the crops with UDP
    # for UDP heatmaps; MSRA's flip test shifts the flipped heatmaps
    udp = family.heatmaps == 'udp'
    codec = dict(type=CODEC_TYPES[family.heatmaps],
                 input_size=(width, height),
                 heatmap_size=(width // 4, height // 4), sigma=family.sigma)
    assert dict(cfg.model.head.decoder) == codec
    assert cfg.model.test_cfg.shift_heatmap == (not udp)
    train = cfg.train_dataloader
    assert train.dataset.type == (family.train_dataset or family.dataset)
    # the device-side pipeline (targets drawn by the data preprocessor)
    assert train.dataset.pipeline[-1].type == 'PackViTPoseInputs'
    assert train.collate_fn.type == 'vitpose_collate'
    affine = [t for t in train.dataset.pipeline
              if t.type == 'ViTPoseTopdownAffine']
    assert [(tuple(t.input_size), t.use_udp) for t in affine] == [
        ((width, height), udp)]
    for split in ('val', 'test'):
        assert [t.use_udp for t in cfg[f'{split}_dataloader'].dataset.pipeline
                if t.type == 'TopdownAffine'] == [udp]
    for split in ('train', 'val', 'test'):
        pipeline = cfg[f'{split}_dataloader'].dataset.pipeline
        assert [t.get('padding', 1.25) for t in pipeline
                if t.type == 'GetBBoxCenterScale'] == [family.box_padding]
    for split in ('val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.type == family.dataset and dataset.test_mode
        assert bool(dataset.get('bbox_file')) == family.detector_boxes
        evaluator = cfg[f'{split}_evaluator']
        evaluators = evaluator if isinstance(evaluator, list) else [evaluator]
        assert tuple(e.type for e in evaluators) == family.metrics
    assert cfg.default_hooks.checkpoint.save_best == family.save_best
    assert cfg.model.test_cfg.flip_test


@pytest.mark.parametrize('entry', ZOO, ids=zoo_id)
def test_zoo_config_recipe(entry, load_config):
    name, size = entry
    family = FAMILIES[name]
    cfg = load_config(family.config(size))
    width = VIT_SIZES[size][0]
    backbone = cfg.model.backbone
    assert (backbone.arch, tuple(backbone.img_size)) == (size,
                                                         family.input_size)
    assert backbone.drop_path_rate == family.expected_drop_path(size)
    assert backbone.init_cfg.checkpoint.endswith(
        f'mae_pretrain_vit_{size}_20230913.pth')
    head = cfg.model.head
    assert (head.type, head.in_channels, head.out_channels) == (
        'ViTPoseClassicHead', width, family.keypoints)
    _check_optimizer(cfg, family, size)
    _check_data(cfg, family)


@pytest.mark.parametrize('entry', ZOO, ids=zoo_id)
def test_zoo_config_at_full_size(entry, load_config):
    """The real model (on the meta device): depth, width, keypoints; the
    ViTPose-B model also predicts heatmaps of the codec's size (the other
    sizes wire input and head the same way: only their widths differ)."""
    name, size = entry
    family = FAMILIES[name]
    cfg = load_config(family.config(size))
    with parameters_on_meta(), \
            DefaultScope.overwrite_default_scope('mmpose'):
        model = MODELS.build(cfg.model).eval()
    width, depth, _ = VIT_SIZES[size]
    assert len(model.backbone.blocks) == depth
    assert model.backbone.blocks[0].norm1.weight.shape == (width, )
    assert model.head.deconv_layers[0].weight.shape[0] == width
    assert model.head.final_layer.weight.shape[:2] == (family.keypoints,
                                                       256)
    if size == 'base':
        height, input_width = family.input_size
        heatmaps = model(
            torch.empty(1, 3, height, input_width, device='meta'), None,
            mode='tensor')
        assert tuple(heatmaps.shape) == (1, family.keypoints, height // 4,
                                         input_width // 4)


SIZE_VARIANTS = [c for c in CONFIGS if size_variant_base(c)]


def _without_model_size(cfg):
    """The config as a dict without what a size variant may change."""
    config = cfg.to_dict()
    model = config['model']
    model.pop('backbone')
    heads = model.pop('heads', None) or {'head': model.pop('head')}
    for head in heads.values():
        head.pop('in_channels')
    config['heads'] = heads
    config['optim_wrapper'].pop('paramwise_cfg', None)
    return config


@pytest.mark.parametrize(
    'config', SIZE_VARIANTS,
    ids=lambda c: osp.relpath(c, osp.join(REPO_ROOT, 'configs')))
def test_size_variant_differs_from_its_base_only_in_size(config,
                                                        load_config):
    """What lets test_configs.py train only the B config of a family."""
    assert _without_model_size(load_config(config)) == \
        _without_model_size(load_config(size_variant_base(config)))
