"""The transformers side of the Hugging Face interop tests.

Runs in the transformers environment that ``tools/setup_env.sh`` creates
(``.venv-transformers``: CPU torch and a pinned transformers), never in the
project's (transformers breaks ``import mmpretrain.models``), and imports
nothing of the plugin::

    .venv-transformers/bin/python hugging_face_reference.py WORK_DIR

Reads ``WORK_DIR/inputs.safetensors`` (``pixels``, (B, 3, 64, 48)) and the
plugin's exports ``WORK_DIR/exports/<name>/``. Writes

- ``WORK_DIR/models/<name>/``: random-weight ``VitPoseForPoseEstimation``
  models saved with ``save_pretrained`` (``classic``, ``simple``, ``plus``:
  ViTPose++ with 6 experts);
- ``WORK_DIR/heatmaps.safetensors``: transformers' heatmaps of each model
  (``<name>``; ``plus.<K>`` with ``dataset_index=K``) and of each export
  loaded with ``from_pretrained`` (``export.<name>[.<K>]``).
"""
import math
import os
import os.path as osp
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file
from transformers import (VitPoseBackboneConfig, VitPoseConfig,
                          VitPoseForPoseEstimation)

IMAGE_SIZE = [64, 48]
BACKBONE = dict(
    image_size=IMAGE_SIZE,
    patch_size=[16, 16],
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=2,
    out_indices=[2])
MODELS = dict(
    classic=dict(use_simple_decoder=False, backbone=dict()),
    simple=dict(use_simple_decoder=True, backbone=dict()),
    plus=dict(
        use_simple_decoder=False,
        backbone=dict(num_experts=6, part_features=8)),
)


def randomise_(model: torch.nn.Module, seed: int) -> None:
    """Weights of a sensible scale: transformers' initialisation leaves
    biases, the class slot and BN statistics at zero/one, which would let
    wrong conversions pass."""
    generator = torch.Generator().manual_seed(seed)
    state = model.state_dict()
    for name, tensor in state.items():
        if not tensor.is_floating_point():
            continue
        noise = torch.randn(tensor.shape, generator=generator)
        if name.endswith('running_var'):
            value = torch.rand(tensor.shape, generator=generator) + 0.5
        elif 'position_embeddings' in name:
            value = 0.5 * noise
        elif tensor.dim() == 1 and name.endswith('weight'):
            value = 1 + 0.1 * noise
        elif tensor.dim() == 1:
            value = 0.1 * noise
        else:
            value = noise / math.sqrt(tensor[0].numel())
        tensor.copy_(value)


def heatmaps(model: VitPoseForPoseEstimation,
             pixels: torch.Tensor,
             index: int = None) -> torch.Tensor:
    dataset_index = None if index is None else torch.full(
        (pixels.shape[0], ), index, dtype=torch.long)
    with torch.no_grad():
        return model(pixels, dataset_index=dataset_index).heatmaps


def outputs_of(model: VitPoseForPoseEstimation, name: str,
               pixels: torch.Tensor) -> dict:
    """``name`` -> heatmaps, ``name.K`` for every expert K."""
    experts = model.config.backbone_config.num_experts
    if experts == 1:
        return {name: heatmaps(model, pixels)}
    return {f'{name}.{k}': heatmaps(model, pixels, k) for k in range(experts)}


def main(work_dir: str) -> None:
    torch.manual_seed(0)
    pixels = load_file(osp.join(work_dir, 'inputs.safetensors'))['pixels']
    results = {}
    for seed, (name, settings) in enumerate(MODELS.items()):
        config = VitPoseConfig(
            backbone_config=VitPoseBackboneConfig(**BACKBONE,
                                                  **settings['backbone']),
            use_simple_decoder=settings['use_simple_decoder'],
            num_labels=17)
        model = VitPoseForPoseEstimation(config).eval()
        randomise_(model, seed)
        model.save_pretrained(osp.join(work_dir, 'models', name))
        results.update(outputs_of(model, name, pixels))
    exports = osp.join(work_dir, 'exports')
    for name in sorted(os.listdir(exports)) if osp.isdir(exports) else []:
        model = VitPoseForPoseEstimation.from_pretrained(
            osp.join(exports, name)).eval()
        results.update(outputs_of(model, f'export.{name}', pixels))
    save_file({
        key: value.contiguous()
        for key, value in results.items()
    },
              osp.join(work_dir, 'heatmaps.safetensors'),
              metadata=dict(transformers=transformers.__version__))


if __name__ == '__main__':
    main(sys.argv[1])
