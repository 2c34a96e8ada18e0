import pytest
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.codecs import MSRAHeatmap
from mmpose.registry import KEYPOINT_CODECS
from mmpose.structures import PoseDataSample

import vitpose_plugin  # noqa: F401

from vitpose_plugin.models import ViTPoseTokenDistiller
from vitpose_plugin.structures import PoseSampleBatch, heatmap_targets
from vitpose_plugin.structures.pose_sample_batch import BATCH_FIELDS

from ..models.distillers.helpers import IMG_SIZE, KEYPOINTS, pose_model_cfg


def sample_with_fields(value):
    sample = PoseDataSample()
    sample.gt_fields = PixelData(heatmaps=torch.full((2, 4, 3), value))
    sample.gt_instance_labels = InstanceData(
        keypoint_weights=torch.full((1, 2), value))
    return sample


def test_batch_tensors_are_read_without_copy():
    heatmaps, weights = torch.rand(3, 2, 4, 3), torch.rand(3, 2)
    batch = PoseSampleBatch([PoseDataSample()] * 3, heatmaps=heatmaps,
                            keypoint_weights=weights)
    assert isinstance(batch, list) and len(batch) == 3
    got = heatmap_targets(batch)
    assert got[0] is heatmaps and got[1] is weights


def test_per_sample_fields_are_stacked():
    heatmaps, weights = heatmap_targets(
        [sample_with_fields(1.), sample_with_fields(2.)])
    assert heatmaps.shape == (2, 2, 4, 3) and weights.shape == (2, 2)
    assert heatmaps[1].eq(2).all() and weights[0].eq(1).all()


def test_missing_targets_name_the_fix():
    with pytest.raises(ValueError, match='PackViTPoseInputs'):
        heatmap_targets([PoseDataSample()])


def test_rows_must_match_the_samples():
    with pytest.raises(ValueError, match='2 rows for 3 samples'):
        PoseSampleBatch([PoseDataSample()] * 3, heatmaps=torch.zeros(2, 1))


CODEC = dict(type='ViTPoseUDPHeatmap', input_size=(48, 64),
             heatmap_size=(12, 16), sigma=2)


def mixture_batch():
    """4 samples of two keypoint sets (3 and 2 keypoints, padded to 3)."""
    keypoints = torch.rand(4, 3, 2, generator=torch.Generator().manual_seed(0))
    keypoints = keypoints * 40
    visible = torch.ones(4, 3)
    visible[[1, 3], 2] = 0
    samples = [PoseDataSample(metainfo=dict(id=i)) for i in range(4)]
    return PoseSampleBatch(samples, keypoints=keypoints,
                           keypoints_visible=visible,
                           keypoint_counts=[3, 2, 3, 2])


def test_sorting_and_slicing_keep_the_tensors():
    batch = mixture_batch()
    grouped = batch.take([0, 2, 1, 3])
    assert [s.id for s in grouped] == [0, 2, 1, 3]
    assert grouped.keypoint_counts == (3, 3, 2, 2)
    torch.testing.assert_close(grouped.keypoints[1], batch.keypoints[2])
    second = grouped[2:4]
    assert isinstance(second, PoseSampleBatch) and len(second) == 2
    assert second.keypoint_counts == (2, 2)
    torch.testing.assert_close(second.keypoints, batch.keypoints[[1, 3]])
    assert isinstance(grouped[0], PoseDataSample)


def test_each_group_draws_its_own_keypoints():
    codec = KEYPOINT_CODECS.build(CODEC)
    grouped = mixture_batch().take([0, 2, 1, 3])
    heatmaps, weights = heatmap_targets(grouped[2:4], codec)
    assert heatmaps.shape == (2, 2, 16, 12) and weights.shape == (2, 2)
    expected, _ = codec.batch_encode(grouped.keypoints[2:4, :2],
                                     grouped.keypoints_visible[2:4, :2])
    torch.testing.assert_close(heatmaps, expected)
    with pytest.raises(ValueError, match=r'mixes keypoint sets of \[2, 3\]'):
        heatmap_targets(grouped, codec)


def test_drawing_needs_a_device_codec():
    codec = MSRAHeatmap(input_size=(48, 64), heatmap_size=(12, 16), sigma=2,
                        unbiased=True)
    with pytest.raises(ValueError, match="type='ViTPoseUDPHeatmap'"):
        heatmap_targets(mixture_batch()[0:1], codec)


DATASETS = [2, 0, 1, 0, 2, 1]  # sorted by dataset: samples 1 3 2 5 0 4
COUNTS = {0: 3, 1: 2, 2: 3}


def tagged_batch():
    """Six samples of three datasets; every row of every tensor holds its
    sample's position (the dataset index holds the dataset)."""
    size = len(DATASETS)
    tag = torch.arange(size, dtype=torch.float32)
    rows = dict(inputs=(3, 4, 4), keypoints=(3, 2), keypoints_visible=(3, ),
                heatmaps=(3, 2, 2), keypoint_weights=(3, ))
    fields = {
        name: tag.view(size, *[1] * len(shape)).expand(size, *shape).clone()
        for name, shape in rows.items()
    }
    return PoseSampleBatch(
        [PoseDataSample(metainfo=dict(id=i)) for i in range(size)],
        dataset_index=torch.tensor(DATASETS),
        host_dataset_index=DATASETS,
        keypoint_counts=[COUNTS[k] for k in DATASETS], **fields)


def assert_aligned(batch, positions):
    """Every field of ``batch`` holds the samples at ``positions``."""
    assert [s.id for s in batch] == positions
    for name in BATCH_FIELDS:
        value = getattr(batch, name)
        expected = [DATASETS[i] for i in positions] \
            if name == 'dataset_index' else positions
        first = value.flatten(1)[:, 0] if value.dim() > 1 else value
        assert first.tolist() == expected, name
    assert batch.host_dataset_index == tuple(DATASETS[i] for i in positions)
    assert batch.keypoint_counts == tuple(
        COUNTS[DATASETS[i]] for i in positions)


def test_sorting_and_slicing_by_dataset_keep_every_field_aligned():
    batch = tagged_batch()
    order, index = batch.dataset_order()
    assert order == [1, 3, 2, 5, 0, 4]
    assert index.tolist() == order  # sorted on the device, stable
    grouped = batch.take(order, index)
    assert_aligned(grouped, order)
    for dataset, (start, stop) in enumerate([(0, 2), (2, 4), (4, 6)]):
        group = grouped[start:stop]
        assert_aligned(group, order[start:stop])
        assert set(group.host_dataset_index) == {dataset}


def test_fields_are_kept_and_replaced_by_of():
    batch = tagged_batch()
    inputs = torch.zeros(6, 3, 4, 4)
    replaced = PoseSampleBatch.of(batch, inputs=inputs)
    assert replaced.inputs is inputs
    assert replaced.keypoints is batch.keypoints
    assert replaced.host_dataset_index == tuple(DATASETS)
    assert PoseSampleBatch.of([PoseDataSample()]).fields == {}


def test_dataset_index_comes_with_its_host_values():
    with pytest.raises(ValueError, match='together'):
        PoseSampleBatch([PoseDataSample()], dataset_index=torch.zeros(1))
    with pytest.raises(ValueError, match='host_dataset_index has 2 values'):
        PoseSampleBatch([PoseDataSample()], dataset_index=torch.zeros(1),
                        host_dataset_index=[0, 1])
    with pytest.raises(ValueError, match='vitpose_collate'):
        PoseSampleBatch([PoseDataSample()]).dataset_order()


def test_a_head_and_a_distiller_read_a_dataset_group_alike():
    """A dataset's slice of a grouped mixture is a whole batch: its images
    and keypoints feed the student's head and the distiller, which read the
    same targets (drawn by the head's codec)."""
    torch.manual_seed(0)
    distiller = ViTPoseTokenDistiller(
        student=pose_model_cfg(16, head='simple'), distill_loss=None)
    head = distiller.student.head
    generator = torch.Generator().manual_seed(0)
    datasets = [1, 0, 1, 0]  # dataset 0: KEYPOINTS keypoints, 1: two
    batch = PoseSampleBatch(
        [PoseDataSample(metainfo=dict(id=i)) for i in range(4)],
        inputs=torch.randn(4, 3, *IMG_SIZE, generator=generator),
        keypoints=torch.rand(4, KEYPOINTS, 2, generator=generator) * 40,
        keypoints_visible=torch.ones(4, KEYPOINTS),
        dataset_index=torch.tensor(datasets), host_dataset_index=datasets,
        keypoint_counts=[2 if k else KEYPOINTS for k in datasets])
    group = batch.take(*batch.dataset_order())[0:2]
    assert [s.id for s in group] == [1, 3]
    targets, weights = group.targets(head.decoder)
    heatmaps = head(distiller.extract_feat(group.inputs))
    expected = head.loss_module(heatmaps, targets, weights)
    head_loss = head.loss(distiller.extract_feat(group.inputs), group)
    distiller_loss = distiller(group.inputs, group, mode='loss')
    torch.testing.assert_close(head_loss['loss_kpt'], expected)
    torch.testing.assert_close(distiller_loss['loss_kpt'], expected)
