"""InterHand2DSingleHandDataset: one 21-keypoint sample per valid hand of the
InterHand2.6M sample, as MMPose 0.x's InterHand2DDataset read it."""
import json
import os.path as osp

import numpy as np
import pytest
from mmpose.registry import DATASETS

from vitpose_plugin.datasets import InterHand2DSingleHandDataset

from ..conftest import REPO_ROOT

SAMPLE = osp.join(REPO_ROOT, 'data', 'sample_interhand2.6m')
FILES = dict(
    ann_file='test_interhand2.6m_data.json',
    camera_param_file='test_interhand2.6m_camera.json',
    joint_file='test_interhand2.6m_joint_3d.json')


def read_sample():
    """The sample's three JSON files, by option name."""
    return {option: json.load(open(osp.join(SAMPLE, name)))
            for option, name in FILES.items()}


def write_sample(root, sample):
    for option, name in FILES.items():
        with open(osp.join(root, name), 'w') as file:
            json.dump(sample[option], file)


def build(root=SAMPLE):
    # serialize_data=False: serialising runs a full gc.collect (seconds)
    return InterHand2DSingleHandDataset(
        data_root=str(root) + '/', test_mode=True, serialize_data=False,
        **FILES)


def projected(sample, ann):
    """The annotation's 42 joints in pixels, from world coordinates through
    its camera (x = f * X / Z + c in camera space)."""
    img = next(i for i in sample['ann_file']['images']
               if i['id'] == ann['image_id'])
    capture, camera = str(img['capture']), img['camera']
    cameras = sample['camera_param_file'][capture]
    world = np.array(sample['joint_file'][capture][str(
        img['frame_idx'])]['world_coord'])
    rotation = np.array(cameras['camrot'][camera])
    in_camera = (world - np.array(cameras['campos'][camera])) @ rotation.T
    return (in_camera[:, :2] / in_camera[:, 2:] *
            np.array(cameras['focal'][camera]) +
            np.array(cameras['princpt'][camera]))


def test_registered_under_its_own_name():
    assert DATASETS.get('InterHand2DSingleHandDataset') is \
        InterHand2DSingleHandDataset


def test_one_sample_per_valid_hand_with_its_keypoints_and_box():
    """The sample: two interacting pairs, one left and one right hand."""
    sample = read_sample()
    dataset = build()
    assert dataset.metainfo['num_keypoints'] == 21
    names = dataset.metainfo['keypoint_id2name']
    assert (names[0], names[3], names[20]) == ('thumb4', 'thumb1', 'wrist')
    hands = [dataset.get_data_info(i) for i in range(len(dataset))]
    anns = {ann['id']: ann for ann in sample['ann_file']['annotations']}
    assert [(hand['id'], tuple(hand['hand_type'][0])) for hand in hands] == [
        (326750, (1, 0)), (326750, (0, 1)), (286291, (1, 0)),
        (286291, (0, 1)), (680801, (0, 1)), (471953, (1, 0))]
    for hand in hands:
        first = 0 if hand['hand_type'][0, 0] else 21
        expected = projected(sample, anns[hand['id']])[first:first + 21]
        np.testing.assert_allclose(hand['keypoints'][0], expected, atol=1e-2)
        assert hand['keypoints_visible'].shape == (1, 21)
        # every joint valid in the sample, every hand inside its image
        np.testing.assert_allclose(
            hand['bbox'][0],
            [*expected.min(axis=0), *expected.max(axis=0)], atol=1e-2)


def test_hands_without_enough_valid_joints_or_wrist_are_skipped(tmp_path):
    sample = read_sample()
    anns = sample['ann_file']['annotations']
    # 326750: the right wrist invalid -> no right hand
    anns[0]['joint_valid'][20] = [0]
    # 286291: right hand 12 valid joints (kept), left hand 11 (skipped)
    for joint in range(12, 20):
        anns[1]['joint_valid'][joint] = [0]
    for joint in range(21 + 10, 21 + 20):
        anns[1]['joint_valid'][joint] = [0]
    write_sample(tmp_path, sample)

    hands = [build(tmp_path).get_data_info(i) for i in range(4)]
    assert [(hand['id'], tuple(hand['hand_type'][0])) for hand in hands] == [
        (326750, (0, 1)), (286291, (1, 0)), (680801, (0, 1)),
        (471953, (1, 0))]
    right = hands[1]
    assert right['keypoints_visible'][0].tolist() == [1.0] * 12 + \
        [0.0] * 8 + [1.0]
    valid = right['keypoints'][0][right['keypoints_visible'][0] > 0]
    np.testing.assert_allclose(
        right['bbox'][0], [*valid.min(axis=0), *valid.max(axis=0)])


def test_a_missing_file_is_named(tmp_path):
    sample = read_sample()
    write_sample(tmp_path, sample)
    (tmp_path / FILES['joint_file']).unlink()
    with pytest.raises(FileNotFoundError,
                       match=r'joint_file .*test_interhand2\.6m_joint_3d'):
        build(tmp_path)


def test_a_file_that_is_not_json_is_named(tmp_path):
    write_sample(tmp_path, read_sample())
    (tmp_path / FILES['camera_param_file']).write_text('{"3": ')
    with pytest.raises(ValueError,
                       match=r'camera_param_file .*_camera\.json is not '
                       r'valid JSON'):
        build(tmp_path)


def test_an_annotation_without_its_camera_names_the_files(tmp_path):
    sample = read_sample()
    del sample['camera_param_file']['7']  # image29590's capture
    write_sample(tmp_path, sample)
    with pytest.raises(ValueError) as error:
        build(tmp_path)
    message = str(error.value)
    assert 'annotation 680801 (image image29590.jpg)' in message
    assert FILES['ann_file'] in message
    assert FILES['camera_param_file'] in message
    assert "KeyError: '7'" in message


def test_wrong_joint_count_is_named(tmp_path):
    sample = read_sample()
    sample['joint_file']['4']['2017']['world_coord'].append([0, 0, 1])
    write_sample(tmp_path, sample)
    with pytest.raises(ValueError,
                       match=r'annotation 471953 .*expected 42 joints'):
        build(tmp_path)
