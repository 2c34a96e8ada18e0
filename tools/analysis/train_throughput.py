"""Training throughput of this project's config and MMPose 1.x's, side by
side in one process (issue 12): data loader alone, the input pipeline on one
core, ``train_step`` alone on a cached batch, host-device traffic per step,
and end-to-end training images/s.

Both sides train on the shipped COCO sample (``data/sample_coco``: every
person instance with keypoints, cycled), with their backbone's pretrained
initialisation switched off and the same ``--batch``; ``--arch`` gives both
backbones the same smaller size so that CPU runs are feasible. Timed runs
alternate between the sides (A B A B ...) and report medians; the ratio is
plugin / MMPose 1.x (> 1: the plugin is faster, or makes more calls).

Examples::

    python tools/analysis/train_throughput.py
    python tools/analysis/train_throughput.py --device cpu --arch 192 4 3 \\
        --batch 32 --workers 1 --samples 256 --iters 12 --json out.json
    python tools/analysis/train_throughput.py --device cuda --amp --workers 8

``--json`` is checked before anything is measured: an existing file is
refused unless ``--force``; it is written atomically.
"""
import argparse
import copy
import json
import math
import os
import os.path as osp
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.hooks import Hook
from mmengine.optim import build_optim_wrapper
from mmengine.registry import FUNCTIONS, init_default_scope
from mmengine.runner import Runner
from torch import Tensor
from torch.overrides import TorchFunctionMode

from vitpose_plugin.checkpoints.files import (check_output_path,
                                              dump_atomically)
from vitpose_plugin.datasets import SampleKey, ViTPoseSeededDataset

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PLUGIN_CONFIG = osp.join(
    ROOT, 'configs', 'body_2d_keypoint', 'topdown_heatmap', 'coco',
    'td-hm_ViTPose-base_8xb64-210e_coco-256x192.py')
MMPOSE_CONFIG = ('mmpose::body_2d_keypoint/topdown_heatmap/coco/'
                 'td-hm_ViTPose-base_8xb64-210e_coco-256x192.py')
SIDES = ('plugin', 'mmpose')
FIGURES = ('pipeline', 'loader', 'step', 'traffic', 'e2e')
#: --mmpose-config value: the plugin config's per-sample counterpart
PER_SAMPLE = 'per-sample'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', nargs='?', default=PLUGIN_CONFIG,
                        help='this project\'s train config (plugin side)')
    parser.add_argument('--mmpose-config', default=MMPOSE_CONFIG,
                        help='MMPose 1.x\'s config (mmpose:: prefix or '
                        f'path), or {PER_SAMPLE!r}: the plugin config\'s '
                        'pipeline with MMPose 1.x\'s (mmpretrain\'s for MAE) '
                        'per-sample transforms, sampler and collate '
                        '(pipeline and loader figures only)')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--batch', type=int, default=64,
                        help='samples per batch, both sides')
    parser.add_argument('--workers', type=int, default=4,
                        help='data loader workers (0: the main process)')
    parser.add_argument('--samples', type=int, default=1024,
                        help='samples per loader / pipeline run')
    parser.add_argument('--iters', type=int, default=50,
                        help='end-to-end training iterations per run')
    parser.add_argument('--warmup', type=int, default=5,
                        help='end-to-end iterations left out of the rate')
    parser.add_argument('--step-iters', type=int, default=5,
                        help='timed train_step calls per round')
    parser.add_argument('--rounds', type=int, default=3,
                        help='alternating timed rounds per side (medians)')
    parser.add_argument('--e2e-rounds', type=int, default=1,
                        help='alternating end-to-end runs per side')
    parser.add_argument('--arch', type=int, nargs=3,
                        metavar=('EMBED', 'DEPTH', 'HEADS'),
                        help='backbone size for both sides (MLP ratio 4), '
                        'e.g. 192 4 3; default: the configs\' own')
    parser.add_argument('--amp', action='store_true',
                        help='the optim wrappers tools/train.py --amp uses')
    parser.add_argument('--skip', nargs='+', default=[], choices=FIGURES,
                        help='figures not to measure')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides for the plugin side')
    parser.add_argument('--mmpose-cfg-options', nargs='+', action=DictAction,
                        help='config overrides for the MMPose side')
    parser.add_argument('--sites', action='store_true',
                        help='also print where the counted traffic calls '
                        'are made (file:line)')
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument('--force', action='store_true',
                        help='replace an existing --json file; default: '
                        'refuse')
    args = parser.parse_args(argv)
    if args.batch < 1 or args.samples < 1 or args.rounds < 1 \
            or args.step_iters < 1 or args.e2e_rounds < 1 or args.workers < 0:
        parser.error('--batch, --samples, --rounds, --step-iters and '
                     '--e2e-rounds must be positive, --workers >= 0')
    if 'e2e' not in args.skip and not 0 <= args.warmup < args.iters:
        parser.error(f'--warmup must be in [0, --iters); got --warmup '
                     f'{args.warmup} --iters {args.iters}')
    model_figures = {'step', 'traffic', 'e2e'} - set(args.skip)
    if args.mmpose_config == PER_SAMPLE and model_figures:
        parser.error(f'--mmpose-config {PER_SAMPLE} compares input '
                     f'pipelines only: add --skip '
                     f'{" ".join(sorted(model_figures))}')
    if args.amp and args.device == 'cpu':
        parser.error('--amp needs --device cuda: MMPose\'s AmpOptimWrapper '
                     '(mmengine) runs on CUDA only')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: no CUDA device is available')
    return args


# --------------------------------------------------------------- traffic


def _is_device(value: Any) -> bool:
    return isinstance(value, (torch.device, str)) or (
        isinstance(value, int) and not isinstance(value, bool))


def _on_host(value: Any) -> bool:
    """Whether ``value`` lives in host memory (non-tensors do)."""
    return not isinstance(value, Tensor) or value.device.type == 'cpu'


def _bool_index(index: Any) -> bool:
    if isinstance(index, Tensor):
        return index.dtype == torch.bool
    if isinstance(index, (tuple, list)):
        return any(_bool_index(i) for i in index)
    return False


class HostDeviceTrafficCounter(TorchFunctionMode):
    """Counts host-to-device transfers and host-device synchronisations
    made through PyTorch calls while the mode is active.

    Transfers: ``Tensor.to``, ``Tensor.cuda``, ``torch.tensor`` and
    ``torch.as_tensor`` calls that name a target device (a device, a device
    string or ordinal, a ``device=`` argument, or a tensor whose device
    ``.to`` copies to) on a host-side source, and ``Tensor.copy_`` from a
    host tensor into a tensor on another device. With ``device='cpu'`` there
    is no accelerator: every call that names a device is counted, so on CPU
    this is the number of transfer calls that would cross to an accelerator;
    no-op moves are included (``copy_`` never crosses on CPU).

    Synchronisations: calls that need the value on the host -- ``item``,
    ``tolist``, ``numpy``, ``__array__``, ``cpu``, ``to`` a host device,
    ``__bool__``, ``__float__``, ``__int__``, ``__index__``,
    ``__complex__``, ``__format__``, ``nonzero``, ``argwhere``, one-argument
    ``where``, ``masked_select``, ``unique`` and indexing with a boolean
    tensor (``__getitem__[bool]``). Each of these reaches
    ``__torch_function__`` (checked by ``tests/tools/
    test_train_throughput.py``). On an accelerator only calls on tensors
    that live there are counted; on CPU all of them (the calls that would
    synchronise).

    Calls made by a counted call itself are not seen (the mode is off
    inside a handler), so each Python-level call counts once.

    Example::

        with HostDeviceTrafficCounter('cpu') as traffic:
            model.train_step(batch, optim_wrapper)
        print(traffic.transfers, traffic.syncs)
    """

    SYNC_NAMES = frozenset({
        'item', 'tolist', 'numpy', '__array__', 'cpu', '__bool__',
        '__float__', '__int__', '__index__', '__complex__', '__format__',
        'nonzero', 'argwhere', 'masked_select', 'unique'
    })

    #: frames of these files are skipped when a call site is recorded
    _INTERNAL = ('torch/overrides.py', 'torch/_tensor.py',
                 'torch/utils/_device.py', osp.abspath(__file__))

    def __init__(self, device: str = 'cpu', sites: bool = False) -> None:
        super().__init__()
        self.accelerator = torch.device(device).type != 'cpu'
        self.transfers: Counter = Counter()
        self.syncs: Counter = Counter()
        #: with ``sites=True``: (kind, call, 'file:line') -> count
        self.sites: Optional[Counter] = Counter() if sites else None

    def __torch_function__(self, func: Callable, types: Any,
                           args: tuple = (), kwargs: Optional[dict] = None):
        kwargs = kwargs or {}
        try:
            self._classify(getattr(func, '__name__', ''), args, kwargs)
        except Exception:  # never let counting break the counted code
            pass
        return func(*args, **kwargs)

    def _count(self, kind: str, name: str) -> None:
        (self.transfers if kind == 'transfer' else self.syncs)[name] += 1
        if self.sites is not None:
            self.sites[(kind, name, self._call_site())] += 1

    def _call_site(self) -> str:
        """``file:line`` of the first frame outside torch's dispatch."""
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.endswith(
                self._INTERNAL):
            frame = frame.f_back
        if frame is None:
            return '?'
        path = frame.f_code.co_filename
        for root in ('site-packages/', ROOT + '/'):
            if root in path:
                path = path.split(root, 1)[1]
        return f'{path}:{frame.f_lineno}'

    def _counts_on(self, tensor: Any) -> bool:
        """Sync calls count on accelerator tensors, or everywhere on CPU."""
        return not self.accelerator or not _on_host(tensor)

    def _transfer(self, name: str, source: Any, target: Any) -> None:
        if target is None:
            return
        if isinstance(target, Tensor):
            target = target.device
        target = torch.device(target) if not isinstance(target, int) \
            else torch.device('cuda', target)
        if not self.accelerator:
            self._count('transfer', name)
        elif _on_host(source) and target.type != 'cpu':
            self._count('transfer', name)
        elif not _on_host(source) and target.type == 'cpu':
            self._count('sync', f'{name}(cpu)')

    def _classify(self, name: str, args: tuple, kwargs: dict) -> None:
        first = args[0] if args else None
        if name == 'to':
            target = kwargs.get('device', kwargs.get('other'))
            for value in args[1:]:
                if isinstance(value, Tensor) or _is_device(value):
                    target = value
                    break
            self._transfer('to', first, target)
        elif name == 'cuda':
            target = kwargs.get('device', args[1] if len(args) > 1 else None)
            self._transfer('cuda', first, 'cuda' if target is None
                           else target)
        elif name in ('tensor', 'as_tensor'):
            target = kwargs.get('device')
            if target is None and name == 'as_tensor' and len(args) > 2:
                target = args[2]
            self._transfer(name, first, target)
        elif name == 'copy_':
            source = args[1] if len(args) > 1 else kwargs.get('src')
            if isinstance(first, Tensor) and isinstance(source, Tensor) \
                    and source.device != first.device and _on_host(source):
                self._count('transfer', 'copy_')
        elif name == 'where':
            if len(args) + len(kwargs) == 1 and self._counts_on(first):
                self._count('sync', 'where(cond)')
        elif name == '__getitem__':
            if len(args) > 1 and _bool_index(args[1]) \
                    and self._counts_on(first):
                self._count('sync', '__getitem__[bool]')
        elif name in self.SYNC_NAMES and self._counts_on(first):
            self._count('sync', name)

    @property
    def total_transfers(self) -> int:
        return sum(self.transfers.values())

    @property
    def total_syncs(self) -> int:
        return sum(self.syncs.values())


@contextmanager
def cuda_sync_warnings() -> Iterator[List[warnings.WarningMessage]]:
    """Records CUDA's own synchronisation warnings
    (``torch.cuda.set_sync_debug_mode('warn')``)."""
    previous = torch.cuda.get_sync_debug_mode()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        torch.cuda.set_sync_debug_mode('warn')
        try:
            yield caught
        finally:
            torch.cuda.set_sync_debug_mode(previous)


# --------------------------------------------------------------- configs


#: the shipped sample (folder under data/, annotation file) each dataset
#: type trains on here; person crops pick theirs by data_root (coco / aic)
SAMPLES = {
    'CocoDataset': ('sample_coco', 'test_coco.json'),
    'AicDataset': ('sample_aic', 'test_aic.json'),
    'MpiiDataset': ('sample_mpii', 'test_mpii.json'),
    'CrowdPoseDataset': ('sample_crowdpose', 'test_crowdpose.json'),
    'AP10KDataset': ('sample_ap10k', 'test_ap10k.json'),
    'CocoWholeBodyDataset': ('sample_coco', 'test_coco_wholebody.json'),
}
PERSON_CROPS = ('ViTPosePersonCropDataset',
                'ViTPoseSyntheticPersonCropDataset')


def sample_of(dataset: dict) -> tuple:
    """(folder under data/, annotation file) of the shipped sample that
    stands in for ``dataset`` (a leaf dataset config).

    Raises:
        ValueError: no sample for its type.
    """
    kind = str(dataset.get('type', '')).split('.')[-1]
    if kind in PERSON_CROPS:
        root = str(dataset.get('data_root', ''))
        return SAMPLES['AicDataset' if 'aic' in root.lower()
                       else 'CocoDataset']
    if kind not in SAMPLES:
        raise ValueError(f'no shipped sample for train dataset type '
                         f'{kind!r}; known: {sorted(SAMPLES)} and '
                         f'{list(PERSON_CROPS)}')
    return SAMPLES[kind]


def point_at_samples(dataset: dict, replicas: 'SampleReplicas',
                     copies: int) -> dict:
    """``dataset`` (a leaf or a wrapper with ``datasets`` / ``dataset``)
    with every leaf on ``copies`` replicas of its shipped sample."""
    dataset = copy.deepcopy(dataset)
    if 'datasets' in dataset:
        dataset.datasets = [point_at_samples(d, replicas, copies)
                            for d in dataset.datasets]
        return dataset
    if 'dataset' in dataset:
        dataset.dataset = point_at_samples(dataset.dataset, replicas, copies)
        return dataset
    kind = str(dataset.get('type', '')).split('.')[-1]
    prefix = 'img_path' if kind in PERSON_CROPS else 'img'
    for key in ('generator', 'cache_root', 'name'):
        dataset.pop(key, None)
    if kind == 'ViTPoseSyntheticPersonCropDataset':
        dataset.type = 'ViTPosePersonCropDataset'
    dataset.update(data_root=replicas.root,
                   ann_file=replicas.ann_file(copies, sample_of(dataset)),
                   data_prefix={prefix: ''})
    dataset.pop('bbox_file', None)
    return dataset


class SampleReplicas:
    """Shipped samples (``data/sample_*``) replicated as distinct images.

    Copy ``r`` of every image is a symbolic link ``<folder>/copy<r>/<file>``
    to the shipped file, with its own image and annotation ids, so a
    dataset of ``copies`` replicas of the COCO sample has ``copies`` x 4
    images of about 3 persons each: samplers that group persons by image
    and transforms that reuse the previous sample's decoded image see what
    they would see on COCO (2.6 persons with keypoints per image in
    train2017), not 4 images repeated (as ``RepeatDataset`` would give: one
    image's every repeat in a row). COCO-format files and MPII's list
    format are replicated. The files live in a temporary directory until
    this object is dropped.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix='train_throughput_')
        self.root = self._dir.name + '/'
        self._files: Dict[tuple, str] = {}

    def _link(self, folder: str, copy_index: int, name: str,
              relative: Optional[str] = None) -> str:
        relative = relative or f'{folder}/copy{copy_index}/{name}'
        link = osp.join(self.root, relative)
        os.makedirs(osp.dirname(link), exist_ok=True)
        if not osp.lexists(link):
            os.symlink(osp.join(ROOT, 'data', folder, name), link)
        return relative

    def ann_file(self, copies: int,
                 sample: tuple = SAMPLES['CocoDataset']) -> str:
        """The annotation file (relative to :attr:`root`) of ``copies`` of
        ``sample`` (folder under data/, annotation file)."""
        key = (copies, *sample)
        if key in self._files:
            return self._files[key]
        folder, ann = sample
        with open(osp.join(ROOT, 'data', folder, ann)) as f:
            data = json.load(f)
        if isinstance(data, list):  # MPII: one entry per person
            # MPII's image ids are its file names: copy r is '<r+1><name>'
            replicated: Any = [
                dict(entry, image=self._link(folder, r, entry['image'],
                                             f'{r + 1}{entry["image"]}'))
                for r in range(copies) for entry in data]
        else:
            replicated = self._coco_copies(data, folder, copies)
        name = f'{folder}_{osp.splitext(ann)[0]}_x{copies}.json'
        with open(osp.join(self.root, name), 'w') as f:
            json.dump(replicated, f)
        self._files[key] = name
        return name

    def _coco_copies(self, data: dict, folder: str, copies: int) -> dict:
        image_step = max(i['id'] for i in data['images']) + 1
        ann_step = max(a['id'] for a in data['annotations']) + 1
        images, annotations = [], []
        for r in range(copies):
            images += [
                dict(image, id=r * image_step + image['id'],
                     file_name=self._link(folder, r, image['file_name']))
                for image in data['images']]
            annotations += [
                dict(ann, id=r * ann_step + ann['id'],
                     image_id=r * image_step + ann['image_id'])
                for ann in data['annotations']]
        return dict(data, images=images, annotations=annotations)


def apply_arch(cfg: Config, arch: Sequence[int]) -> None:
    """Give the backbone ``embed, depth, heads`` (MLP ratio 4) and make the
    head and the layer-decay depth follow."""
    embed, depth, heads = arch
    backbone = cfg.model.backbone
    kind = str(backbone.get('type', ''))
    if kind.endswith('VisionTransformer'):  # mmpretrain's, as MMPose uses
        backbone.arch = dict(embed_dims=embed, num_layers=depth,
                             num_heads=heads, feedforward_channels=4 * embed)
    elif kind.startswith('ViTPose'):
        backbone.arch = dict(embed_dims=embed, depth=depth, num_heads=heads,
                             mlp_ratio=4)
    else:
        raise ValueError(f'--arch: unknown backbone type {kind!r} (expected '
                         f'ViTPoseBackbone or mmpretrain.VisionTransformer)')
    if 'head' in cfg.model and 'in_channels' in cfg.model.head:
        cfg.model.head.in_channels = embed
    paramwise = cfg.optim_wrapper.get('paramwise_cfg') or {}
    if 'num_layers' in paramwise:
        paramwise['num_layers'] = depth


def amp_optim_wrapper(cfg: Config, side: str) -> None:
    """The optim wrapper ``tools/train.py --amp`` gives a config (the rule
    of this project's ``merge_args``, a superset of MMPose's: ViTPose
    wrappers become ``ViTPoseAmpOptimWrapper``, mmengine's become
    ``AmpOptimWrapper`` with dynamic loss scaling)."""
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper in ('ViTPoseOptimWrapper', 'ViTPoseAmpOptimWrapper'):
        cfg.optim_wrapper.type = 'ViTPoseAmpOptimWrapper'
    elif wrapper in ('OptimWrapper', 'AmpOptimWrapper'):
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    else:
        raise ValueError(f'--amp ({side}): no AMP counterpart for the '
                         f'optim wrapper {wrapper}')


#: this project's transforms -> MMPose 1.x's (pose configs)
MMPOSE_TRANSFORMS = {
    'ViTPoseLoadImage': 'LoadImage',
    'ViTPoseRandomFlip': 'RandomFlip',
    'ViTPoseRandomHalfBody': 'RandomHalfBody',
    'ViTPoseRandomBBoxTransform': 'RandomBBoxTransform',
    'ViTPoseTopdownAffine': 'TopdownAffine',
}
#: this project's codecs -> MMPose 1.x's (the same encoding, per sample)
MMPOSE_CODECS = {
    'ViTPoseUDPHeatmap': 'UDPHeatmap',
    'ViTPoseMSRAHeatmap': 'MSRAHeatmap',
}


def per_sample_transforms(pipeline: Sequence[dict], codec: Optional[dict],
                          mmpretrain: bool) -> List[dict]:
    """``pipeline`` with MMPose 1.x's (or, for ``mmpretrain`` scope
    configs, mmpretrain's) per-sample counterpart of each of this
    project's transforms: ``LoadImage`` (``LoadImageFromFile``) decoding
    every sample's image, ``GenerateTarget`` + ``PackPoseInputs`` for
    ``PackViTPoseInputs``, ``PackInputs`` for ``ViTPosePackImage``, a
    ``RandomFlip`` after the person crop for its ``flip_prob``;
    ``ViTPoseCheckAnnotation`` has none (dropped)."""
    out: List[dict] = []
    for step in pipeline:
        step = copy.deepcopy(step)
        kind = str(step.get('type', '')).split('.')[-1]
        if kind == 'ViTPoseCheckAnnotation':
            continue
        if kind == 'ViTPoseLoadImage' and mmpretrain:
            out.append(dict(type='LoadImageFromFile'))
        elif kind == 'ViTPosePersonRandomResizedCrop':
            flip_prob = step.pop('flip_prob', 0.)
            out.append(step)
            if flip_prob > 0:
                out.append(dict(type='RandomFlip', prob=flip_prob))
        elif kind == 'ViTPosePackImage':
            out.append(dict(type='PackInputs'))
        elif kind in MMPOSE_TRANSFORMS:
            out.append(dict(step, type=MMPOSE_TRANSFORMS[kind]))
        elif kind == 'PackViTPoseInputs':
            if codec is None:
                raise KeyError('--mmpose-config per-sample: the config has '
                               'PackViTPoseInputs but no top-level `codec` '
                               'for GenerateTarget')
            kind = MMPOSE_CODECS.get(codec['type'], codec['type'])
            out += [dict(type='GenerateTarget',
                         encoder=dict(codec, type=kind)),
                    dict(type='PackPoseInputs')]
        else:
            out.append(step)
    return out


def _per_sample_datasets(dataset: dict, codec: Optional[dict],
                         mmpretrain: bool) -> None:
    for key in ('datasets', 'dataset'):
        inner = dataset.get(key)
        for child in (inner if isinstance(inner, list)
                      else [inner] if inner else []):
            _per_sample_datasets(child, codec, mmpretrain)
    if 'pipeline' in dataset:
        dataset.pipeline = per_sample_transforms(dataset.pipeline, codec,
                                                 mmpretrain)


def per_sample_counterpart(cfg: Config) -> Config:
    """The input pipeline of ``cfg`` as MMPose 1.x (pose configs) or
    mmpretrain (MAE configs) would run it: their transforms (see
    :func:`per_sample_transforms`), ``DefaultSampler`` for
    ``ViTPoseImageGroupedSampler``, ``pseudo_collate`` for
    ``vitpose_collate`` (``default_collate`` for
    ``vitpose_image_collate``). Same datasets, augmentation and order of
    random draws; only the pipeline figures are meaningful for it."""
    cfg = copy.deepcopy(cfg)
    mmpretrain = cfg.get('default_scope') == 'mmpretrain'
    loader = cfg.train_dataloader
    _per_sample_datasets(loader.dataset, cfg.get('codec'), mmpretrain)
    sampler = str(loader.sampler.get('type', '')).split('.')[-1]
    if sampler == 'ViTPoseImageGroupedSampler':
        loader.sampler = dict(type='DefaultSampler',
                              shuffle=loader.sampler.get('shuffle', True))
    collate = loader.get('collate_fn') or {}
    collate = str(collate.get('type', '')).split('.')[-1]
    if collate == 'vitpose_collate':
        loader.collate_fn = dict(type='pseudo_collate')
    elif collate == 'vitpose_image_collate':
        loader.collate_fn = dict(type='default_collate')
    if trains_with_seeded_draws(cfg):
        # MMPose 1.x's loop: the transforms draw from the worker's stream
        cfg.train_cfg.seeded_draws = False
    return cfg


def trains_with_seeded_draws(cfg: Config) -> bool:
    """Whether tools/train.py trains ``cfg`` through
    ``ViTPoseSeededDataset`` (``ViTPoseEpochBasedTrainLoop``, which
    ``ViTPoseRunner`` builds for ``by_epoch=True``, with ``seeded_draws``,
    its default)."""
    loop = cfg.get('train_cfg') or {}
    kind = str(loop.get('type', '')).split('.')[-1]
    epoch_loop = kind == 'ViTPoseEpochBasedTrainLoop' or (
        not kind and loop.get('by_epoch', False))
    return bool(epoch_loop and loop.get('seeded_draws', True))


def resolve_config(path: str) -> str:
    """``package::rel/path.py`` -> the file in that package's ``.mim``."""
    if '::' not in path:
        return path
    package, relative = path.split('::', 1)
    from mmengine.utils import get_installed_path
    return osp.join(get_installed_path(package), '.mim', 'configs', relative)


def load_config(path: str, side: str, args: argparse.Namespace) -> Config:
    """A side's config for these measurements (sample data, no
    pretrained weights, ``--batch``/``--workers``/``--arch``/``--amp``)."""
    if path == PER_SAMPLE:
        cfg = per_sample_counterpart(load_config(args.config, 'plugin',
                                                 args))
        if args.mmpose_cfg_options:
            cfg.merge_from_dict(args.mmpose_cfg_options)
        return cfg
    path = resolve_config(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{side} config not found: {path}')
    cfg = Config.fromfile(path)
    options = args.cfg_options if side == 'plugin' \
        else args.mmpose_cfg_options
    if options:
        cfg.merge_from_dict(options)
    if 'train_dataloader' not in cfg or 'model' not in cfg:
        raise KeyError(f'{side} config {path} has no train_dataloader/model')
    cfg.model.get('backbone', {}).pop('init_cfg', None)
    cfg.model.pop('init_cfg', None)
    if args.arch:
        apply_arch(cfg, args.arch)
    if args.amp:
        amp_optim_wrapper(cfg, side)
    loader = cfg.train_dataloader
    loader.batch_size = args.batch
    loader.num_workers = args.workers
    loader.persistent_workers = args.workers > 0
    cfg.load_from, cfg.resume = None, False
    return cfg


class Side:
    """One side's config, in its registry scope."""

    def __init__(self, name: str, cfg: Config,
                 replicas: Optional[SampleReplicas] = None) -> None:
        self.name, self.cfg = name, cfg
        self.replicas = replicas or SampleReplicas()
        self.scope()
        from mmpose.registry import DATASETS
        self.base_len = len(DATASETS.build(point_at_samples(
            cfg.train_dataloader.dataset, self.replicas, 1)))
        if self.base_len == 0:
            raise ValueError(f'{name}: the sample dataset has no instances')

    def scope(self) -> None:
        init_default_scope(self.cfg.get('default_scope', 'mmpose'))

    def loader_cfg(self, samples: int, workers: Optional[int] = None,
                   batch: Optional[int] = None) -> ConfigDict:
        """``train_dataloader`` over enough replicas of the sample for
        ``samples`` (see :class:`SampleReplicas`)."""
        cfg = copy.deepcopy(self.cfg.train_dataloader)
        if workers is not None:
            cfg.num_workers = workers
            cfg.persistent_workers = workers > 0
        if batch is not None:
            cfg.batch_size = batch
        copies = max(1, math.ceil(samples / self.base_len))
        cfg.dataset = point_at_samples(cfg.dataset, self.replicas, copies)
        return cfg

    def collate_fn(self) -> Callable:
        """The loader's collate function, built as mmengine's Runner does."""
        collate = copy.deepcopy(
            self.cfg.train_dataloader.get('collate_fn',
                                          dict(type='pseudo_collate')))
        kind = collate.pop('type')
        function = FUNCTIONS.get(kind) if isinstance(kind, str) else kind
        if function is None:
            raise KeyError(f'{self.name}: collate_fn {kind!r} not registered')
        return partial(function, **collate)


def seed_all(seed: int = 0) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def batch_len(batch: Any) -> int:
    inputs = batch['inputs'] if isinstance(batch, dict) else batch
    return len(inputs)


def synchronize(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


@contextmanager
def single_thread() -> Iterator[None]:
    """One PyTorch and one OpenCV thread, restored afterwards."""
    torch_threads, cv2_threads = torch.get_num_threads(), cv2.getNumThreads()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        torch.set_num_threads(torch_threads)
        cv2.setNumThreads(cv2_threads)


# --------------------------------------------------------------- figures


def interleaved_order(dataset: Any, samples: int) -> List[int]:
    """``samples`` indices of ``dataset`` in which consecutive samples
    never share an image (when it has two or more): images in rotation,
    each cycling through its persons. A transform that reuses the previous
    sample's decoded image gains nothing from this order, as in a shuffled
    (not image-grouped) pass over full COCO."""
    persons: Dict[str, List[int]] = {}
    for index in range(len(dataset)):
        persons.setdefault(dataset.get_data_info(index)['img_path'],
                           []).append(index)
    images = list(persons.values())
    return [images[i % len(images)][(i // len(images)) %
                                    len(images[i % len(images)])]
            for i in range(samples)]


def sampler_order(side: 'Side', dataset: Any, samples: int) -> List[int]:
    """The first ``samples`` indices of the config's train sampler (seed
    0), built as mmengine's Runner builds it."""
    from mmengine.registry import DATA_SAMPLERS
    sampler = DATA_SAMPLERS.build(
        copy.deepcopy(side.cfg.train_dataloader.sampler),
        default_args=dict(dataset=dataset, seed=0))
    order = []
    for index in sampler:
        order.extend(index if isinstance(index, (list, tuple)) else [index])
        if len(order) >= samples:
            break
    return order[:samples]


def pipeline_rate(side: 'Side', samples: int, batch: int,
                  order: str = 'sampler') -> float:
    """Samples/s of dataset indexing (the train pipeline) and the loader's
    collate function, in this process on one thread; samples in the config
    sampler's order or ``'interleaved'`` (see :func:`interleaved_order`),
    read through ``ViTPoseSeededDataset`` (seed 0, epoch 0) when the
    config trains with seeded draws (:func:`trains_with_seeded_draws`)."""
    side.scope()
    from mmpose.registry import DATASETS
    dataset = DATASETS.build(side.loader_cfg(samples).dataset)
    indices = interleaved_order(dataset, samples) if order == 'interleaved' \
        else sampler_order(side, dataset, samples)
    if trains_with_seeded_draws(side.cfg):  # as its train loop reads them
        dataset = ViTPoseSeededDataset(dataset)
        indices = [SampleKey(0, 0, index) for index in indices]
    collate = side.collate_fn()
    seed_all()
    with single_thread():
        start = time.perf_counter()
        for first in range(0, samples, batch):
            collate([dataset[i] for i in indices[first:first + batch]])
        return samples / (time.perf_counter() - start)


def loader_rate(side: Side, samples: int, workers: int) -> float:
    """Samples/s of the config's DataLoader with ``workers`` workers, from
    creating its iterator (workers start) to the batch that completes
    ``samples``."""
    side.scope()
    cfg = side.loader_cfg(samples, workers=workers)
    cfg.persistent_workers = False
    seed_all()
    loader = Runner.build_dataloader(cfg, seed=0)
    start = time.perf_counter()
    done = 0
    for batch in loader:
        done += batch_len(batch)
        if done >= samples:
            break
    elapsed = time.perf_counter() - start
    del loader
    return done / elapsed


class Trainer:
    """A side's model and optim wrapper with one cached batch."""

    def __init__(self, side: Side, device: str,
                 batch: Optional[int] = None) -> None:
        from mmpose.registry import MODELS
        side.scope()
        self.side, self.device = side, device
        seed_all()
        self.model = MODELS.build(copy.deepcopy(side.cfg.model)).to(device)
        self.model.train()
        self.optim_wrapper = build_optim_wrapper(
            self.model, copy.deepcopy(side.cfg.optim_wrapper))
        cfg = side.loader_cfg(batch or side.cfg.train_dataloader.batch_size,
                              workers=0, batch=batch)
        self.batch = next(iter(Runner.build_dataloader(cfg, seed=0)))
        self.batch_size = batch_len(self.batch)

    def step(self, batch: Optional[Any] = None) -> Dict[str, Tensor]:
        self.side.scope()
        return self.model.train_step(
            copy.deepcopy(self.batch) if batch is None else batch,
            self.optim_wrapper)

    def rate(self, iters: int) -> float:
        """Samples/s of ``iters`` train_step calls (batch copies made
        beforehand: a step may modify its batch in place)."""
        batches = [copy.deepcopy(self.batch) for _ in range(iters)]
        synchronize(self.device)
        start = time.perf_counter()
        for batch in batches:
            self.step(batch)
        synchronize(self.device)
        return self.batch_size * iters / (time.perf_counter() - start)

    def traffic(self) -> Dict[str, Any]:
        """Transfers and synchronisations of one train_step."""
        batch = copy.deepcopy(self.batch)
        synchronize(self.device)
        with HostDeviceTrafficCounter(self.device, sites=True) as counter:
            self.step(batch)
        result = dict(transfers=counter.total_transfers,
                      syncs=counter.total_syncs,
                      transfer_calls=dict(sorted(counter.transfers.items())),
                      sync_calls=dict(sorted(counter.syncs.items())),
                      sites=[[kind, name, site, count] for (kind, name, site),
                             count in counter.sites.most_common()])
        # torch's own calls (the optimizer's per-parameter step counters,
        # clip_grad's per-parameter norms) are the same on both sides
        for kind in ('transfer', 'sync'):
            result[f'{kind}s_outside_torch'] = sum(
                count for (k, _, site), count in counter.sites.items()
                if k == kind and not site.startswith('torch/'))
        if self.device == 'cuda':
            batch = copy.deepcopy(self.batch)
            synchronize(self.device)
            with cuda_sync_warnings() as caught:
                self.step(batch)
                synchronize(self.device)
            result['cuda_sync_warnings'] = sum(
                'synchroniz' in str(w.message) for w in caught)
        return result


def traffic_counts(side: Side, device: str, batch: int) -> Dict[str, Any]:
    """Traffic of one warmed-up train_step at ``batch`` samples."""
    trainer = Trainer(side, device, batch=batch)
    trainer.step()
    return trainer.traffic()


class IterClock(Hook):
    """Wall-clock time before training and after each iteration; the
    device is synchronised only where a rate starts or ends (``sync_after``
    iteration counts, 0 = before training), so that the clock adds no
    synchronisation inside the timed span."""

    priority = 'LOWEST'

    def __init__(self, device: str, sync_after: Sequence[int]) -> None:
        self.device = device
        self.sync_after = set(sync_after)
        self.times: List[float] = []

    def _tick(self) -> None:
        if len(self.times) in self.sync_after:
            synchronize(self.device)
        self.times.append(time.perf_counter())

    def before_train(self, runner) -> None:
        self.times = []
        self._tick()

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        self._tick()


def build_runner(side: Side, cfg: Config) -> Runner:
    """The runner each side's tools/train.py builds."""
    from mmpose.registry import RUNNERS
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    if side.name == 'plugin':
        from vitpose_plugin.engine import ViTPoseRunner
        return ViTPoseRunner.from_cfg(cfg)
    return Runner.from_cfg(cfg)


def e2e_rate(side: Side, args: argparse.Namespace, run: int) -> float:
    """Images/s of the real training loop after ``args.warmup`` iterations
    (data loading, hooks and logging included; no validation, no
    checkpoints)."""
    side.scope()
    iters = args.iters
    cfg = copy.deepcopy(side.cfg)
    cfg.train_dataloader = side.loader_cfg(args.batch * (iters + 1))
    name = f'train_throughput_{side.name}_{run}_{time.time_ns()}'
    cfg.experiment_name = name
    if 'visualizer' in cfg:
        cfg.visualizer.name = name
    cfg.train_cfg = dict(by_epoch=False, max_iters=iters,
                         val_interval=iters + 1)
    for key in ('val_cfg', 'val_dataloader', 'val_evaluator', 'test_cfg',
                'test_dataloader', 'test_evaluator'):
        cfg[key] = None
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=iters + 1, by_epoch=False,
        save_last=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10)
    cfg.log_level = 'WARNING'
    cfg.launcher = 'none'
    clock = IterClock(args.device, sync_after=(args.warmup, iters))
    torch_threads, cv2_threads = torch.get_num_threads(), cv2.getNumThreads()
    try:
        with tempfile.TemporaryDirectory() as work_dir:
            cfg.work_dir = work_dir
            runner = build_runner(side, cfg)
            runner.register_hook(clock, priority='LOWEST')
            runner.train()
            del runner
    finally:
        torch.set_num_threads(torch_threads)
        cv2.setNumThreads(cv2_threads)
    times = clock.times
    if len(times) != iters + 1:
        raise RuntimeError(f'{side.name}: {len(times) - 1} of {iters} '
                           f'iterations ran')
    return args.batch * (iters - args.warmup) / (times[-1] -
                                                   times[args.warmup])


def alternate(sides: Dict[str, Side], rounds: int,
              measure: Callable[[Side, int], float]) -> Dict[str, Any]:
    """``measure`` A B A B ...; medians and every round."""
    runs: Dict[str, List[float]] = {name: [] for name in sides}
    for run in range(rounds):
        for name, side in sides.items():
            runs[name].append(measure(side, run))
    result = {name: statistics.median(r) for name, r in runs.items()}
    result['ratio'] = result['plugin'] / result['mmpose']
    result['runs'] = runs
    return result


# --------------------------------------------------------------- report


def machine() -> Dict[str, Any]:
    try:
        out = subprocess.run(['lscpu'], capture_output=True, text=True,
                             check=False).stdout
        model = next((line.split(':', 1)[1].strip()
                      for line in out.splitlines()
                      if line.startswith('Model name')), platform.processor())
    except OSError:
        model = platform.processor()
    info = dict(cpu=model, cores=len(os_cores()),
                torch_threads=torch.get_num_threads(),
                torch=torch.__version__,
                date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()))
    if torch.cuda.is_available():
        info['gpu'] = torch.cuda.get_device_name()
    return info


def os_cores() -> set:
    try:
        return os.sched_getaffinity(0)
    except AttributeError:
        return set(range(os.cpu_count() or 1))


def print_table(title: str, unit: str, result: Dict[str, Any],
                extra: Optional[Dict[str, float]] = None) -> None:
    print(f'\n{title}')
    print(f'| {"":24} | {"plugin":>10} | {"MMPose 1.x":>10} | {"ratio":>6} |')
    print(f'| {"-" * 24} | {"-" * 10}: | {"-" * 10}: | {"-" * 6}: |')
    print(f'| {unit:24} | {result["plugin"]:>10.2f} | '
          f'{result["mmpose"]:>10.2f} | {result["ratio"]:>6.2f} |')
    for label, values in (extra or {}).items():
        print(f'| {label:24} | {values[0]:>10.2f} | {values[1]:>10.2f} | '
              f'{values[0] / values[1]:>6.2f} |')


def print_traffic(result: Dict[str, Any], batch: int) -> None:
    print(f'\nhost-device traffic per train_step (batch {batch})')
    names = sorted(set(result['plugin']['transfer_calls'])
                   | set(result['mmpose']['transfer_calls']))
    syncs = sorted(set(result['plugin']['sync_calls'])
                   | set(result['mmpose']['sync_calls']))
    print(f'| {"call":24} | {"plugin":>8} | {"MMPose 1.x":>10} |')
    print(f'| {"-" * 24} | {"-" * 7}: | {"-" * 9}: |')
    rows = [('transfers', 'transfers', None)]
    rows += [(f'  {n}', 'transfer_calls', n) for n in names]
    rows += [('synchronisations', 'syncs', None)]
    rows += [(f'  {n}', 'sync_calls', n) for n in syncs]
    rows += [('transfers outside torch/', 'transfers_outside_torch', None),
             ('syncs outside torch/', 'syncs_outside_torch', None)]
    if 'cuda_sync_warnings' in result['plugin']:
        rows.append(('CUDA sync warnings', 'cuda_sync_warnings', None))
    for label, key, name in rows:
        values = [result[s][key] if name is None
                  else result[s][key].get(name, 0) for s in SIDES]
        print(f'| {label:24} | {values[0]:>8} | {values[1]:>10} |')


def measure(args: argparse.Namespace) -> Dict[str, Any]:
    """Every figure not in ``args.skip``, for both sides."""
    replicas = SampleReplicas()
    sides = {
        'plugin': Side('plugin', load_config(args.config, 'plugin', args),
                       replicas),
        'mmpose': Side('mmpose', load_config(args.mmpose_config, 'mmpose',
                                             args), replicas),
    }
    results: Dict[str, Any] = dict(
        machine=machine(),
        settings=dict(config=args.config, mmpose_config=args.mmpose_config,
                      device=args.device, batch=args.batch,
                      workers=args.workers, samples=args.samples,
                      iters=args.iters, warmup=args.warmup,
                      step_iters=args.step_iters, rounds=args.rounds,
                      e2e_rounds=args.e2e_rounds, arch=args.arch,
                      amp=args.amp),
        sample_instances=sides['plugin'].base_len)
    print(f'device={args.device} batch={args.batch} workers={args.workers} '
          f'arch={args.arch or "config"} amp={args.amp} '
          f'{results["machine"]}')
    if 'pipeline' not in args.skip:
        for key, order, label in (
                ('pipeline', 'sampler', 'the config sampler\'s order'),
                ('pipeline_interleaved', 'interleaved',
                 'consecutive samples from different images')):
            results[key] = alternate(
                sides, args.rounds, lambda s, _, order=order: pipeline_rate(
                    s, args.samples, args.batch, order))
            print_table(f'input pipeline + collate, main process, 1 thread, '
                        f'{label}', 'samples/s per core', results[key])
    if 'loader' not in args.skip:
        result = alternate(
            sides, args.rounds,
            lambda s, _: loader_rate(s, args.samples, args.workers))
        workers = max(args.workers, 1)
        result['per_worker'] = {s: result[s] / workers for s in SIDES}
        results['loader'] = result
        print_table(f'data loader alone, {args.workers} workers',
                    'samples/s', result,
                    {'samples/s per worker': [result['per_worker'][s]
                                              for s in SIDES]})
    if 'step' in args.skip and 'traffic' in args.skip:
        trainers = {}
    else:
        trainers = {name: Trainer(side, args.device)
                    for name, side in sides.items()}
        for trainer in trainers.values():  # warm-up
            trainer.step()
        synchronize(args.device)
    if 'step' not in args.skip:
        results['step'] = alternate(
            sides, args.rounds,
            lambda s, _: trainers[s.name].rate(args.step_iters))
        print_table('train_step alone, cached batch', 'samples/s',
                    results['step'])
    if 'traffic' not in args.skip:
        results['traffic'] = {name: trainer.traffic()
                              for name, trainer in trainers.items()}
        print_traffic(results['traffic'], args.batch)
        if args.sites:
            for name in SIDES:
                print(f'\n{name}: traffic call sites (count kind call site)')
                for kind, call, site, count in \
                        results['traffic'][name]['sites']:
                    print(f'{count:>5} {kind:8} {call:18} {site}')
    del trainers
    if 'e2e' not in args.skip:
        results['e2e'] = alternate(
            sides, args.e2e_rounds, lambda s, run: e2e_rate(s, args, run))
        print_table(f'end to end, {args.iters} iterations '
                    f'(first {args.warmup} left out), {args.workers} '
                    f'workers', 'img/s', results['e2e'])
    return results


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Measure, print and return the figures; see the module docstring.

    Raises:
        OutputPathError: an existing ``--json`` without ``--force``.
    """
    args = parse_args(argv)
    if args.json:
        check_output_path(args.json, overwrite=args.force, option='--json')
    results = measure(args)
    if args.json:
        dump_atomically(results, args.json, file_format='json', indent=2)
    return results


if __name__ == '__main__':
    main()
