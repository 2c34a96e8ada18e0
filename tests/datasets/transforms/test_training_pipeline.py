"""The fast top-down training pipeline against MMPose's on real COCO JPEGs.

Same random draws (numpy seeded alike, MMPose's RandomBBoxTransform on both
sides), then: crops equal within OpenCV's fixed-point interpolation rounding,
keypoints equal, and the heatmaps drawn on the device from the
ViTPoseDataPreprocessor's batch by the codec equal to MMPose's GenerateTarget
within 1e-5, for the UDP affine and codec and for the non-UDP ones (MSRA).
"""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from mmpose.registry import DATASETS, KEYPOINT_CODECS, MODELS
from mmpose.utils import register_all_modules

import vitpose_plugin  # noqa: F401
from vitpose_plugin.datasets import vitpose_collate
from vitpose_plugin.structures import PoseSampleBatch, heatmap_targets

from ...conftest import REPO_ROOT

CODEC = dict(
    type='UDPHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)
AUGMENT = [
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
]
MMPOSE = [dict(type='LoadImage')] + AUGMENT + [
    dict(type='TopdownAffine', input_size=CODEC['input_size'], use_udp=True),
    dict(type='GenerateTarget', encoder=CODEC),
    dict(type='PackPoseInputs', pack_transformed=True),
]
OURS = [dict(type='ViTPoseLoadImage')] + AUGMENT + [
    dict(
        type='ViTPoseTopdownAffine',
        input_size=CODEC['input_size'],
        use_udp=True),
    dict(type='PackViTPoseInputs'),
]
#: MMPose's codec, the affine's use_udp and the device codec: UDP (COCO,
#: MPII) and MSRA (AIC, CrowdPose, OCHuman, AP-10K, APT-36K, WholeBody)
CODECS = {
    'udp': (CODEC, True, 'ViTPoseUDPHeatmap'),
    'msra': (dict(CODEC, type='MSRAHeatmap'), False, 'ViTPoseMSRAHeatmap'),
}


def with_codec(pipeline, codec, use_udp):
    """``pipeline`` with ``codec`` in GenerateTarget and ``use_udp`` in the
    affine."""
    changed = []
    for step in pipeline:
        if step['type'] == 'GenerateTarget':
            step = dict(step, encoder=codec)
        elif step['type'].endswith('TopdownAffine'):
            step = dict(step, use_udp=use_udp)
        changed.append(step)
    return changed


@pytest.fixture(scope='module')
def coco_sample():
    register_all_modules()
    return DATASETS.build(
        dict(
            type='CocoDataset',
            data_root=osp.join(REPO_ROOT, 'data', 'sample_coco') + '/',
            data_mode='topdown',
            ann_file='test_coco.json',
            data_prefix=dict(img=''),
            pipeline=[]))


def run(pipeline, dataset, seed):
    transforms = Compose(pipeline)
    np.random.seed(seed)
    return [transforms(dataset.get_data_info(i)) for i in range(len(dataset))]


@pytest.mark.parametrize('codec_name', ['udp', 'msra'])
def test_outputs_equal_mmpose(coco_sample, codec_name):
    codec, use_udp, device_codec = CODECS[codec_name]
    flipped = 0
    for seed in range(4):
        theirs = run(with_codec(MMPOSE, codec, use_udp), coco_sample, seed)
        ours = run(with_codec(OURS, codec, use_udp), coco_sample, seed)
        batch = vitpose_collate(ours)
        preprocessor = MODELS.build(dict(type='ViTPoseDataPreprocessor'))
        samples = preprocessor(batch, training=True)['data_samples']
        assert isinstance(samples, PoseSampleBatch)
        heatmaps, weights = heatmap_targets(
            samples, KEYPOINT_CODECS.build(dict(codec, type=device_codec)))
        for index, (mine, ref) in enumerate(zip(ours, theirs)):
            sample = ref['data_samples']
            flipped += int(sample.flip)
            assert mine['data_samples'].flip == sample.flip
            crop = mine['inputs'].int() - ref['inputs'].int()
            # OpenCV rounds sampling positions to 1/32 px, differently for
            # the mirrored and the original image: at most 1/32 of a 255
            # step (+1 for rounding) at an edge, almost nothing on average.
            assert crop.abs().max() <= 9, (seed, index)
            assert crop.float().abs().mean() < 0.1
            np.testing.assert_allclose(
                mine['targets']['keypoints'],
                sample.gt_instances.transformed_keypoints[0], atol=1e-4)
            torch.testing.assert_close(
                heatmaps[index], sample.gt_fields.heatmaps,
                atol=1e-5, rtol=0)
            torch.testing.assert_close(
                weights[index],
                sample.gt_instance_labels.keypoint_weights[0])
    assert flipped >= 4  # the mirror-folding path was exercised


@pytest.mark.parametrize('use_udp', [True, False])
def test_unflipped_crop_is_bit_identical(coco_sample, use_udp):
    no_flip = [dict(t, prob=0.0) if t['type'] == 'RandomFlip' else t
               for t in AUGMENT]
    theirs = run([dict(type='LoadImage')] + no_flip +
                 with_codec(MMPOSE[-3:-2], CODEC, use_udp) +
                 [dict(type='PackPoseInputs')], coco_sample, 0)
    ours = run([dict(type='ViTPoseLoadImage')] + no_flip +
               with_codec(OURS[-2:], CODEC, use_udp), coco_sample, 0)
    for mine, ref in zip(ours, theirs):
        assert torch.equal(mine['inputs'], ref['inputs'])


def test_load_image_errors_name_the_file(tmp_path):
    from vitpose_plugin.datasets import ViTPoseLoadImage
    corrupt = tmp_path / 'corrupt.jpg'
    corrupt.write_bytes(b'not a jpeg')
    with pytest.raises(ValueError, match='corrupt.jpg'):
        ViTPoseLoadImage()(dict(img_path=str(corrupt)))
    with pytest.raises(FileNotFoundError, match='missing.jpg'):
        ViTPoseLoadImage()(dict(img_path=str(tmp_path / 'missing.jpg')))


def test_load_image_decodes_once_and_is_read_only(coco_sample, monkeypatch):
    from vitpose_plugin.datasets import ViTPoseLoadImage
    loader = ViTPoseLoadImage()
    calls = []
    decode = loader._decode
    monkeypatch.setattr(loader, '_decode',
                        lambda path: calls.append(path) or decode(path))
    infos = [coco_sample.get_data_info(i) for i in range(len(coco_sample))]
    infos.sort(key=lambda info: info['img_path'])
    for info in infos:
        image = loader(info)['img']
        with pytest.raises(ValueError):
            image[0, 0, 0] = 1
    assert len(calls) == len({info['img_path'] for info in infos})
