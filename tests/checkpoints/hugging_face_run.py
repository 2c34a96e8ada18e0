"""One run of the transformers side for the whole test session.

:func:`run_hugging_face_side` exports tiny plugin models with ``export-hf``,
then runs ``hugging_face_reference.py`` once in the transformers
environment of ``tools/setup_env.sh`` (``VITPOSE_TRANSFORMERS_VENV``,
default ``<repo>/.venv-transformers``), which saves random-weight
transformers models and the heatmaps of those and of the exports.
"""
import os
import os.path as osp
import subprocess
from dataclasses import dataclass, field
from typing import Dict

import torch
from mmengine.config import Config
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import Tensor, nn

from tests.checkpoints.reference_models import build, randomise_
from vitpose_plugin.checkpoints import save_checkpoint
from vitpose_plugin.checkpoints.cli import main as checkpoints_cli

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
REFERENCE_SCRIPT = osp.join(
    osp.dirname(osp.abspath(__file__)), 'hugging_face_reference.py')
IMG_SIZE = (64, 48)
WIDTH, EXPERT_DIMS = 32, 8
#: ViTPose++'s datasets and keypoint counts, as the plugin's heads.
PLUS_HEADS = (('coco', 17), ('aic', 14), ('mpii', 16), ('ap10k', 17),
              ('apt36k', 17), ('wholebody', 133))


def transformers_python() -> str:
    """The transformers environment's interpreter."""
    venv = os.environ.get('VITPOSE_TRANSFORMERS_VENV',
                          osp.join(REPO_ROOT, '.venv-transformers'))
    return osp.join(venv, 'bin', 'python')


def backbone_cfg(**extra) -> dict:
    """The tiny backbone of every model here, updated with ``extra``."""
    cfg = dict(
        type='ViTPoseBackbone',
        arch=dict(embed_dims=WIDTH, depth=2, num_heads=2),
        img_size=IMG_SIZE)
    cfg.update(extra)
    return cfg


def head_cfg(kind: str, keypoints: int = 17) -> dict:
    if kind == 'simple':
        return dict(
            type='ViTPoseSimpleHead',
            in_channels=WIDTH,
            out_channels=keypoints)
    return dict(
        type='ViTPoseClassicHead', in_channels=WIDTH, out_channels=keypoints)


def plugin_cfgs() -> Dict[str, dict]:
    """The plugin models exported: classic, simple, ViTPose++ (simple
    decoders: the classic one's 256-channel deconvolutions, six times over,
    would only add set-up time)."""
    single = {
        kind:
        dict(
            type='TopdownPoseEstimator',
            backbone=backbone_cfg(),
            head=head_cfg(kind))
        for kind in ('classic', 'simple')
    }
    single['plus'] = dict(
        type='ViTPoseMultiDatasetEstimator',
        backbone=backbone_cfg(num_experts=6, expert_dims=EXPERT_DIMS),
        heads={
            name: head_cfg('simple', keypoints)
            for name, keypoints in PLUS_HEADS
        })
    return single


@dataclass
class HuggingFaceRun:
    """What the session's transformers run produced.

    Attributes:
        work_dir (str): Its folder; transformers' models are in
            ``models/<name>``, the plugin's exports in ``exports/<name>``.
        pixels (Tensor): The inputs (2, 3, 64, 48).
        heatmaps (dict): transformers' heatmaps (see the reference script).
        plugin_models (dict): The exported plugin models, by name.
        version (str): transformers' version.
    """
    work_dir: str
    pixels: Tensor
    heatmaps: Dict[str, Tensor]
    plugin_models: Dict[str, nn.Module] = field(default_factory=dict)
    version: str = ''

    def model_dir(self, name: str) -> str:
        return osp.join(self.work_dir, 'models', name)


def _export(work_dir: str) -> Dict[str, nn.Module]:
    """Build, randomise, save and export the plugin models: ``classic``
    with the runner's config text in meta, ``simple`` through
    ``--config``, ``plus`` (dataset 0's head) and ``plus_mpii`` with the
    converter's ``model_cfg`` meta."""
    models = {}
    for seed, (name, cfg) in enumerate(plugin_cfgs().items()):
        model = build(cfg).eval()
        randomise_(model.state_dict(), seed=10 + seed)
        models[name] = model
        checkpoint = osp.join(work_dir, f'{name}.pth')
        options = []
        if name == 'classic':
            meta = dict(cfg=Config(dict(model=cfg)).pretty_text)
        elif name == 'simple':
            meta = {}
            config = osp.join(work_dir, 'simple_config.py')
            Config(dict(model=cfg)).dump(config)
            options = ['--config', config]
        else:
            meta = dict(model_cfg=cfg)
        save_checkpoint(model.state_dict(), checkpoint, **meta)
        exports = [
            (name, [])
        ] + ([('plus_mpii', ['--dataset', 'mpii'])] if name == 'plus' else [])
        for export, extra in exports:
            out = osp.join(work_dir, 'exports', export)
            status = checkpoints_cli(
                ['export-hf', checkpoint, out, *options, *extra])
            assert status == 0, f'export-hf of {name} failed'
    return models


def run_hugging_face_side(work_dir: str) -> HuggingFaceRun:
    """Export the plugin models, run the transformers side once, and
    read what it wrote.

    Raises:
        AssertionError: no transformers environment, or the run failed.
    """
    python = transformers_python()
    assert osp.isfile(python), (
        f'no transformers environment at {python}: run tools/setup_env.sh '
        f'(it creates it) or point VITPOSE_TRANSFORMERS_VENV at one')
    pixels = torch.randn(
        2, 3, *IMG_SIZE, generator=torch.Generator().manual_seed(0))
    save_file(dict(pixels=pixels), osp.join(work_dir, 'inputs.safetensors'))
    models = _export(work_dir)
    # The subprocess must not see this venv's packages or the checkout.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ('PYTHONPATH', 'VIRTUAL_ENV')
    }
    proc = subprocess.run([python, REFERENCE_SCRIPT, work_dir],
                          env=env,
                          cwd=work_dir,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, \
        f'the transformers side failed:\n{proc.stdout[-6000:]}'
    path = osp.join(work_dir, 'heatmaps.safetensors')
    with safe_open(path, framework='pt') as file:
        version = file.metadata().get('transformers', '')
    return HuggingFaceRun(work_dir, pixels, load_file(path), models, version)
