from .collate import vitpose_collate, vitpose_image_collate
from .dataset_mixture import ViTPoseDatasetMixture, resolve_dataset_names
from .interhand2d_single_hand_dataset import InterHand2DSingleHandDataset
from .sample_draws import (SampleKey, ViTPoseSeededDataset,
                           ViTPoseSeededSampler, sample_draws)
from .samplers import ViTPoseImageGroupedSampler
from .synthetic_coco_dataset import SyntheticCocoDataset, resolve_cache_root
from .synthetic_pose import (SyntheticPoseParams, ensure_synthetic_coco,
                             generate_synthetic_coco)
from .transforms import (PackViTPoseInputs, ViTPoseCheckAnnotation,
                         ViTPoseLoadImage, ViTPoseRandomBBoxTransform,
                         ViTPoseRandomFlip, ViTPoseRandomHalfBody,
                         ViTPoseTopdownAffine)

__all__ = [
    'InterHand2DSingleHandDataset',
    'PackViTPoseInputs', 'SampleKey', 'SyntheticCocoDataset', 'SyntheticPoseParams',
    'ViTPoseCheckAnnotation', 'ViTPoseDatasetMixture',
    'ViTPoseImageGroupedSampler', 'ViTPoseLoadImage', 'ViTPoseRandomBBoxTransform',
    'ViTPoseRandomFlip', 'ViTPoseRandomHalfBody', 'ViTPoseSeededDataset',
    'ViTPoseSeededSampler', 'sample_draws',
    'ViTPoseTopdownAffine', 'vitpose_collate', 'vitpose_image_collate',
    'ensure_synthetic_coco', 'generate_synthetic_coco', 'resolve_cache_root',
    'resolve_dataset_names'
]
