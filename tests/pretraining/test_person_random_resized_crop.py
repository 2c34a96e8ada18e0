"""Random resized crops inside the person region: geometry and content."""
import cv2
import numpy as np
import pytest
import torch

from vitpose_plugin.pretraining import (ViTPosePersonRandomResizedCrop,
                                        person_region)

from ..conftest import REPO_ROOT


def box_image(box, size=(300, 400)):
    """A black image with a white box (x1, y1, x2, y2, inclusive)."""
    image = np.zeros((*size, 3), np.uint8)
    x1, y1, x2, y2 = box
    image[y1:y2 + 1, x1:x2 + 1] = 255
    return image


def test_full_crop_is_the_person_region_at_crop_size():
    box = (150, 60, 229, 259)  # 80 x 200 pixels
    crop = ViTPosePersonRandomResizedCrop(
        crop_size=(256, 192), crop_ratio_range=(1., 1.),
        aspect_ratio_range=(1., 1.), interpolation='nearest')
    region = person_region(box)
    results = crop(dict(img=box_image(box), person_region=region))
    assert results['img'].shape == (256, 192, 3)
    assert results['img_shape'] == (256, 192)
    cx, cy, w, h = region
    np.testing.assert_allclose(  # the region in whole pixels
        results['crop_box'], [cx - w / 2, cy - h / 2, cx + w / 2,
                              cy + h / 2], atol=0.5)
    # The whole box is in the crop, centred, 1/1.25 of the crop's height.
    rows, cols = np.nonzero(results['img'][..., 0])
    scale = 256 / h
    assert rows.min() == pytest.approx((box[1] - (cy - h / 2)) * scale,
                                       abs=1.5)
    assert rows.max() == pytest.approx((box[3] - (cy - h / 2)) * scale,
                                       abs=1.5)
    assert cols.min() == pytest.approx((box[0] - (cx - w / 2)) * scale,
                                       abs=1.5)
    assert cols.max() == pytest.approx((box[2] - (cx - w / 2)) * scale,
                                       abs=1.5)
    assert (rows.max() - rows.min()) / 256 == pytest.approx(1 / 1.25,
                                                            abs=0.01)


def test_random_crops_stay_inside_the_region():
    crop = ViTPosePersonRandomResizedCrop(crop_size=(128, 96))
    region = np.array([200., 150., 120., 160.])
    np.random.seed(0)
    areas = []
    for _ in range(200):
        x1, y1, x2, y2 = crop.sample_box(region)
        assert 140 - 1e-3 <= x1 < x2 <= 260 + 1e-3
        assert 70 - 1e-3 <= y1 < y2 <= 230 + 1e-3
        areas.append((x2 - x1) * (y2 - y1) / (120 * 160))
        aspect = (x2 - x1) / (y2 - y1) / 0.75
        assert 0.75 - 1e-4 <= aspect <= 4 / 3 + 1e-4 or areas[-1] == 1
    assert min(areas) >= 0.2 - 1e-6 and max(areas) <= 1 + 1e-6
    assert np.std(areas) > 0.1  # really random


def test_crops_are_the_drawn_boxes_of_a_real_image():
    """For fixed seeds the crop is the drawn box (the same draws as the
    earlier affine-warp rendering) to the pixel, resized: equal to a
    pixel-centre bicubic warp of that box (a 1-pixel shift differs by 8-10
    grey levels on average)."""
    image = cv2.imread(f'{REPO_ROOT}/data/sample_coco/000000000785.jpg')
    crop = ViTPosePersonRandomResizedCrop(crop_size=(128, 96))
    region = np.array([300., 200., 240., 320.])
    for seed in range(5):
        np.random.seed(seed)
        drawn = crop.sample_box(region)
        np.random.seed(seed)
        results = crop(dict(img=image, person_region=region))
        box = results['crop_box']
        np.testing.assert_allclose(box, drawn, atol=0.5)
        scale_x, scale_y = 96 / (box[2] - box[0]), 128 / (box[3] - box[1])
        warped = cv2.warpAffine(
            image, np.array([[scale_x, 0, (0.5 - box[0]) * scale_x - 0.5],
                             [0, scale_y, (0.5 - box[1]) * scale_y - 0.5]]),
            (96, 128), flags=cv2.INTER_CUBIC)
        difference = np.abs(results['img'].astype(int) - warped)
        assert difference.mean() < 1, (seed, difference.mean())


def test_outside_the_image_is_black():
    crop = ViTPosePersonRandomResizedCrop(
        crop_size=(64, 48), crop_ratio_range=(1., 1.),
        aspect_ratio_range=(1., 1.))
    image = np.full((100, 100, 3), 200, np.uint8)
    results = crop(dict(img=image, person_region=(0., 50., 75., 100.)))
    assert (results['img'][:, :20] == 0).all()  # left half off the image
    assert (results['img'][:, 30:] > 0).all()


def test_flip_prob_is_the_crop_then_vitpose_random_flip():
    """Per sample generator: the same box, the same flip draw and the same
    pixels as the crop followed by ViTPoseRandomFlip, and the generators
    end in the same state; packed, the same input as PackInputs'."""
    from mmengine.registry import DefaultScope
    from mmpretrain.datasets.transforms import PackInputs

    from vitpose_plugin.datasets import ViTPoseRandomFlip
    from vitpose_plugin.pretraining import ViTPosePackImage
    image = cv2.imread(f'{REPO_ROOT}/data/sample_coco/000000000785.jpg')
    region = np.array([300., 200., 240., 320.])
    options = dict(crop_size=(128, 96), interpolation='bicubic')
    one_step = ViTPosePersonRandomResizedCrop(**options, flip_prob=0.5)
    two_steps = [ViTPosePersonRandomResizedCrop(**options),
                 ViTPoseRandomFlip(prob=0.5)]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        pack, reference_pack = ViTPosePackImage(), PackInputs()
    flips = []
    for seed in range(8):
        new_draws, old_draws = (np.random.default_rng(seed) for _ in '01')
        new = one_step(dict(img=image, person_region=region,
                            sample_draws=new_draws))
        old = dict(img=image, person_region=region, sample_draws=old_draws)
        for step in two_steps:
            old = step(old)
        flips.append(new['flip'])
        assert new['flip'] == old['flip']
        assert new['flip_direction'] == old['flip_direction']
        np.testing.assert_array_equal(new['crop_box'], old['crop_box'])
        np.testing.assert_array_equal(new['img'], old['img'])
        assert new_draws.random() == old_draws.random()
        packed = pack(new)
        assert set(packed) == {'inputs'}
        assert torch.equal(packed['inputs'],
                           reference_pack(old)['inputs'])
    assert 0 < sum(flips) < len(flips)


@pytest.mark.parametrize('kwargs, message', [
    (dict(crop_size=(0, 10)), 'crop_size'),
    (dict(crop_ratio_range=(0., 1.)), 'crop_ratio_range'),
    (dict(crop_ratio_range=(0.5, 1.5)), 'crop_ratio_range'),
    (dict(aspect_ratio_range=(2., 1.)), 'aspect_ratio_range'),
    (dict(max_attempts=0), 'max_attempts'),
    (dict(interpolation='lanczos'), 'interpolation'),
    (dict(flip_prob=1.5), 'flip_prob'),
])
def test_bad_options_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ViTPosePersonRandomResizedCrop(**kwargs)


def test_bad_region_is_refused():
    crop = ViTPosePersonRandomResizedCrop()
    with pytest.raises(ValueError, match='person_region'):
        crop(dict(img=np.zeros((8, 8, 3), np.uint8),
                  person_region=(4., 4., 0., 3.)))
