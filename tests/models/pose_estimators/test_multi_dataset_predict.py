"""ViTPoseMultiDatasetEstimator at inference: predict, flip test, routing
errors and tensor mode."""
import pytest
import torch

from .helpers import DATASETS, build, mixed_batch

MIXED = ['c', 'a', 'b', 'a', 'c']


def one_hot(index, count=3):
    return tuple(1 if k == index else 0 for k in range(count))


def manual_heatmaps(model, image, name, experts, flip_indices=None):
    """Heatmaps of one image by its dataset's backbone path and head; with
    ``flip_indices``, averaged with the flipped image's (channels swapped
    by ``flip_indices``, MMPose's ``flip_mode='heatmap'``, no shift)."""
    head = model.heads[name]
    kwargs = dict(group_sizes=one_hot('abc'.index(name))) if experts else {}

    def heatmaps(x):
        return head(model.backbone(x[None], **kwargs))[0]

    result = heatmaps(image)
    if flip_indices is not None:
        flipped = heatmaps(image.flip(-1)).flip(-1)[flip_indices]
        result = (result + flipped) / 2
    return result


@pytest.mark.parametrize('experts', [False, True])
def test_predictions_come_back_in_the_original_order(experts):
    model = build(experts=experts).eval()
    images, samples = mixed_batch(MIXED)
    with torch.no_grad():
        results = model.predict(images, samples)
        assert [r.metainfo['sample_id'] for r in results] == list(range(5))
        for index, name in enumerate(MIXED):
            alone = model.predict(images[index:index + 1],
                                  mixed_batch([name], seed=index)[1])[0]
            keypoints = results[index].pred_instances.keypoints
            assert keypoints.shape == (1, DATASETS[name][0], 2)
            # Decoded in pixels: batched float noise, amplified by UDP's
            # sub-pixel refinement, stays far below a pixel.
            torch.testing.assert_close(
                keypoints, alone.pred_instances.keypoints, atol=1e-2,
                rtol=1e-4)
            torch.testing.assert_close(
                results[index].pred_instances.keypoint_scores,
                alone.pred_instances.keypoint_scores, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('experts', [False, True])
def test_flip_test_uses_each_datasets_flip_indices(experts):
    model = build(experts=experts, flip_test=True, shift_heatmap=False,
                  output_heatmaps=True).eval()
    images, samples = mixed_batch(MIXED)
    with torch.no_grad():
        results = model.predict(images, samples)
        for index, name in enumerate(MIXED):
            flip_indices = DATASETS[name][1]
            expected = manual_heatmaps(model, images[index], name, experts,
                                       flip_indices)
            heatmaps = results[index].pred_fields.heatmaps
            torch.testing.assert_close(heatmaps, expected)
            unswapped = manual_heatmaps(
                model, images[index], name, experts,
                list(range(len(flip_indices))))
            assert not torch.allclose(heatmaps, unswapped)


def test_test_step_runs_the_data_preprocessor():
    model = build(experts=True).eval()
    images, samples = mixed_batch(MIXED)
    results = model.test_step(dict(inputs=list(images), data_samples=samples))
    assert [r.pred_instances.keypoints.shape[1] for r in results] == \
        [DATASETS[name][0] for name in MIXED]


def test_dataset_idx_routes_like_dataset_name():
    model = build().eval()
    images, by_name = mixed_batch(MIXED)
    _, by_index = mixed_batch(MIXED, key='dataset_idx')
    with torch.no_grad():
        expected = model.predict(images, by_name)
        results = model.predict(images, by_index)
    for result, reference in zip(results, expected):
        assert (result.pred_instances.keypoints ==
                reference.pred_instances.keypoints).all()


def test_test_cfg_dataset_overrides_the_metainfo():
    model = build(dataset='a').eval()
    images, samples = mixed_batch([None, 'b', None])
    with torch.no_grad():
        results = model.predict(images, samples)
    assert all(r.pred_instances.keypoints.shape == (1, 5, 2)
               for r in results)


@pytest.mark.parametrize('datasets, key, match', [
    (['a', None], 'dataset_name', r"neither dataset_name nor dataset_idx"),
    (['a', 'wholebody'], 'dataset_name', r"unknown dataset_name "
     r"'wholebody'"),
    (['a', 'b'], 'dataset_idx', r"dataset_idx 5 is not an index"),
])
def test_unknown_dataset_is_a_clear_error(datasets, key, match):
    model = build().eval()
    images, samples = mixed_batch(['a', None])
    if datasets[1] is not None:
        samples[1].set_metainfo(
            {key: datasets[1] if key == 'dataset_name' else 5})
    with pytest.raises(ValueError, match=match) as error:
        model.predict(images, samples)
    assert "valid datasets: ['a', 'b', 'c']" in str(error.value)
    assert 'model.test_cfg.dataset' in str(error.value)


def test_tensor_mode_returns_the_heatmaps_of_each_dataset():
    model = build().eval()
    images, samples = mixed_batch(MIXED)
    with torch.no_grad():
        heatmaps = model(images, samples, mode='tensor')
        assert list(heatmaps) == ['a', 'b', 'c']
        for name, value in heatmaps.items():
            members = [i for i, d in enumerate(MIXED) if d == name]
            assert value.shape == (len(members), DATASETS[name][0], 16, 12)
            for row, index in enumerate(members):
                torch.testing.assert_close(
                    value[row],
                    manual_heatmaps(model, images[index], name, False))
        only_b = model(images[2:3], samples[2:3], mode='tensor')
    assert list(only_b) == ['b']


def test_tensor_mode_without_samples_needs_test_cfg_dataset():
    images, _ = mixed_batch(['a', 'a'])
    with pytest.raises(ValueError, match='set model.test_cfg.dataset'):
        build().eval()(images)
    heatmaps = build(dataset='c').eval()(images)
    assert list(heatmaps) == ['c'] and heatmaps['c'].shape == (2, 4, 16, 12)


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="invalid mode 'train'"):
        build()(*mixed_batch(['a']), mode='train')
