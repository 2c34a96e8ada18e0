import numpy as np
import pytest
import torch
from mmpose.structures import PoseDataSample

from vitpose_plugin.datasets import vitpose_collate, vitpose_image_collate
from vitpose_plugin.datasets.collate import stack_images


def packed(keypoints=17, size=(8, 6), targets=True, dataset_idx=None):
    metainfo = {} if dataset_idx is None else dict(dataset_idx=dataset_idx)
    sample = dict(inputs=torch.zeros(3, *size, dtype=torch.uint8),
                  data_samples=PoseDataSample(metainfo=metainfo))
    if targets:
        sample['targets'] = dict(
            keypoints=np.zeros((keypoints, 2), np.float32),
            keypoints_visible=np.ones(keypoints, np.float32))
    return sample


def test_one_tensor_per_field():
    batch = vitpose_collate([packed(), packed()])
    assert batch['inputs'].shape == (2, 3, 8, 6)
    assert batch['targets']['keypoints'].shape == (2, 17, 2)
    assert batch['targets']['keypoints_visible'].shape == (2, 17)
    assert len(batch['data_samples']) == 2
    assert 'targets' not in vitpose_collate([packed(targets=False)])


def test_keypoint_sets_of_a_mixture_are_padded():
    small = packed(14)
    small['targets']['keypoints'][:] = 3
    batch = vitpose_collate([packed(17), small])
    targets = batch['targets']
    assert targets['keypoints'].shape == (2, 17, 2)
    assert targets['keypoint_counts'] == [17, 14]
    assert targets['keypoints'][1, :14].eq(3).all()
    assert targets['keypoints_visible'][1, 14:].eq(0).all()
    assert targets['keypoints_visible'][1, :14].eq(1).all()


def test_dataset_index_of_a_mixture():
    batch = vitpose_collate([packed(dataset_idx=2), packed(14, dataset_idx=0)])
    assert batch['dataset_index'].dtype == torch.long
    assert batch['dataset_index'].tolist() == [2, 0]
    assert batch['host_dataset_index'] == [2, 0]
    assert 'dataset_index' not in vitpose_collate([packed()])


@pytest.mark.parametrize('samples, message', [
    ([packed(size=(8, 6)), packed(size=(6, 8))], 'one size'),
    ([packed(), packed(targets=False)], 'some samples'),
    ([packed(dataset_idx=1), packed()], 'some samples of the batch have a '
     'dataset_idx'),
    ([], 'empty'),
])
def test_inconsistent_batches_are_refused(samples, message):
    with pytest.raises(ValueError, match=message):
        vitpose_collate(samples)


def test_images_stack_into_one_tensor():
    images = [dict(inputs=torch.full((3, 8, 6), value, dtype=torch.uint8))
              for value in (1, 2)]
    batch = vitpose_image_collate(images)
    assert batch['inputs'].shape == (2, 3, 8, 6)
    assert batch['inputs'][:, 0, 0, 0].tolist() == [1, 2]
    assert batch['data_samples'] is None
    with pytest.raises(ValueError, match='one size'):
        vitpose_image_collate([images[0],
                               dict(inputs=torch.zeros(3, 6, 8))])
    with pytest.raises(ValueError, match='empty'):
        vitpose_image_collate([])


@pytest.mark.parametrize('layout', ['hwc view', 'chw', 'float hwc view'])
def test_stacked_images_equal_torch_stack(layout):
    """Crops packed as (C, H, W) views of (H, W, C) arrays are split into
    the batch by OpenCV; any other image is copied: torch.stack's values,
    contiguous."""
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (8, 6, 3), dtype=np.uint8)
              for _ in range(3)]
    if layout == 'float hwc view':
        arrays = [array.astype(np.float32) for array in arrays]
    if layout == 'chw':
        images = [torch.from_numpy(a.transpose(2, 0, 1).copy())
                  for a in arrays]
    else:
        images = [torch.from_numpy(a).permute(2, 0, 1) for a in arrays]
    batch = stack_images(images)
    assert batch.is_contiguous() and batch.dtype == images[0].dtype
    assert torch.equal(batch, torch.stack(images))
