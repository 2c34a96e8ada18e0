"""Tiny multi-dataset estimators and mixed batches for the tests."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from torch import Tensor, nn

from vitpose_plugin.models import ViTPoseMultiDatasetEstimator
from ..distillers.helpers import CODEC, IMG_SIZE, batch

WIDTH = 16
#: Dataset name -> (keypoints, flip_indices): different keypoint counts and
#: flip pairs.
DATASETS = {
    'a': (5, [1, 0, 2, 4, 3]),
    'b': (3, [2, 1, 0]),
    'c': (4, [3, 2, 1, 0]),
}


def head_cfg(name: str) -> dict:
    return dict(type='ViTPoseClassicHead', in_channels=WIDTH,
                out_channels=DATASETS[name][0], deconv_out_channels=(8, 8),
                deconv_kernel_sizes=(4, 4), decoder=CODEC)


def estimator_cfg(names: Sequence[str] = ('a', 'b', 'c'),
                  experts: bool = False, **test_cfg) -> dict:
    """A ViTPoseMultiDatasetEstimator config, one head per name; with
    ``experts`` the backbone has one expert per name."""
    backbone = dict(type='ViTPoseBackbone',
                    arch=dict(embed_dims=WIDTH, depth=1, num_heads=2),
                    img_size=IMG_SIZE)
    if experts:
        backbone.update(num_experts=len(names), expert_dims=4)
    return dict(type='ViTPoseMultiDatasetEstimator',
                data_preprocessor=dict(type='mmpose.PoseDataPreprocessor'),
                backbone=backbone,
                heads={name: head_cfg(name) for name in names},
                test_cfg=dict(dict(flip_test=False), **test_cfg))


def build(names: Sequence[str] = ('a', 'b', 'c'), experts: bool = False,
          **test_cfg) -> ViTPoseMultiDatasetEstimator:
    torch.manual_seed(0)
    model = MODELS.build(estimator_cfg(names, experts, **test_cfg))
    assert isinstance(model, ViTPoseMultiDatasetEstimator)
    # Non-trivial head outputs (the classic head starts near zero).
    for name, param in model.named_parameters():
        if name.startswith('heads.'):
            nn.init.normal_(param, std=0.3)
    return model


def mixed_batch(datasets: Sequence[Optional[str]],
                seed: int = 0,
                key: str = 'dataset_name',
                names: Sequence[str] = ('a', 'b', 'c')
                ) -> Tuple[Tensor, List[PoseDataSample]]:
    """One sample per entry of ``datasets`` with that dataset's keypoints,
    flip indices and, under ``key`` (``'dataset_name'`` or
    ``'dataset_idx'``, its position in ``names``), its dataset; ``None``
    entries carry no dataset and have dataset ``'a'``'s keypoints. Every
    sample has a ``sample_id``, its position in the batch."""
    images, samples = [], []
    for position, name in enumerate(datasets):
        keypoints, flip_indices = DATASETS[name or 'a']
        image, (sample, ) = batch(1, seed=seed + position,
                                  keypoints=keypoints)
        sample.set_metainfo(
            dict(flip_indices=flip_indices, sample_id=position))
        if name is not None:
            sample.set_metainfo({
                key: name if key == 'dataset_name' else names.index(name)
            })
        images.append(image)
        samples.append(sample)
    return torch.cat(images), samples
