"""Tiny pose models, batches and checkpoints for the distiller tests."""
from typing import List, Tuple

import numpy as np
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from torch import Tensor, nn

IMG_SIZE = (64, 48)  # a 4 x 3 token grid, 16 x 12 heatmaps
KEYPOINTS = 5
CODEC = dict(type='UDPHeatmap', input_size=(48, 64), heatmap_size=(12, 16),
             sigma=2)


def pose_model_cfg(width: int, depth: int = 1, knowledge_tokens: int = 0,
                   head: str = 'classic', **backbone) -> dict:
    """A TopdownPoseEstimator config: ViTPose of ``width``, 2 heads."""
    head_cfg = dict(type='ViTPoseSimpleHead') if head == 'simple' else dict(
        type='ViTPoseClassicHead', deconv_out_channels=(8, 8),
        deconv_kernel_sizes=(4, 4))
    return dict(
        type='TopdownPoseEstimator',
        data_preprocessor=dict(type='mmpose.PoseDataPreprocessor'),
        backbone=dict(
            type='ViTPoseBackbone',
            arch=dict(embed_dims=width, depth=depth, num_heads=2),
            img_size=IMG_SIZE,
            knowledge_tokens=knowledge_tokens,
            **backbone),
        head=dict(head_cfg, in_channels=width, out_channels=KEYPOINTS,
                  decoder=CODEC),
        test_cfg=dict(flip_test=False))


def save_teacher(path: str, width: int = 32, knowledge_tokens: int = 1,
                 **cfg) -> Tuple[str, nn.Module]:
    """Build a random teacher, save ``{'state_dict': ...}`` at ``path``."""
    teacher = MODELS.build(
        pose_model_cfg(width, knowledge_tokens=knowledge_tokens, **cfg))
    torch.save(dict(state_dict=teacher.state_dict()), path)
    return path, teacher


def batch(size: int = 2, seed: int = 0, img_size: Tuple[int, int] = IMG_SIZE,
          keypoints: int = KEYPOINTS) -> Tuple[Tensor, List]:
    """Normalised images (size, 3, H, W) and data samples with heatmap
    targets (H/4, W/4) and metainfo."""
    generator = torch.Generator().manual_seed(seed)
    height, width = img_size
    images = torch.randn(size, 3, height, width, generator=generator)
    samples = []
    for _ in range(size):
        sample = PoseDataSample()
        sample.gt_fields = PixelData(heatmaps=torch.rand(
            keypoints, height // 4, width // 4, generator=generator))
        sample.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, keypoints))
        sample.gt_instances = InstanceData(
            bboxes=np.array([[0, 0, width, height]], dtype=np.float32),
            bbox_scores=np.ones(1, dtype=np.float32))
        sample.set_metainfo(
            dict(input_size=(width, height),
                 input_center=np.array([width / 2, height / 2]),
                 input_scale=np.array([width, height], dtype=np.float64),
                 flip_indices=list(range(keypoints))))
        samples.append(sample)
    return images, samples
