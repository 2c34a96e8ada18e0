"""PackViTPoseInputs: the sample's metainfo copied, sharing nothing."""
import numpy as np

from vitpose_plugin.datasets import PackViTPoseInputs


def test_metainfo_is_a_copy_of_the_results():
    flip_indices = [1, 0, 2]
    results = dict(
        img=np.zeros((8, 6, 3), np.uint8), img_path='a.jpg', id=3,
        ori_shape=(40, 30), input_center=np.array([5., 6.]),
        input_size=(6, 8), flip=True, flip_direction='horizontal',
        flip_indices=flip_indices, dataset_name='coco',
        transformed_keypoints=np.ones((1, 3, 2)),
        keypoints_visible=np.ones((1, 3)), raw_ann_info={'x': 1})
    sample = PackViTPoseInputs()(results)['data_samples']
    assert set(sample.metainfo) == {
        'img_path', 'id', 'ori_shape', 'input_center', 'input_size', 'flip',
        'flip_direction', 'flip_indices', 'dataset_name'}
    assert sample.flip_indices == flip_indices
    assert sample.flip_indices is not flip_indices
    np.testing.assert_array_equal(sample.input_center, [5., 6.])
    assert not np.shares_memory(sample.input_center,
                                results['input_center'])
    flip_indices[0] = 9
    assert sample.flip_indices == [1, 0, 2]
