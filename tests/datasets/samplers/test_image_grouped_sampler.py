from unittest import mock

import pytest

from vitpose_plugin.datasets import ViTPoseImageGroupedSampler


class Persons:
    """Ten images with 1..4 persons each."""

    def __init__(self):
        self.images = [image for image in range(10)
                       for _ in range(1 + image % 4)]

    def __len__(self):
        return len(self.images)

    def get_data_info(self, index):
        return dict(img_path=f'{self.images[index]}.jpg')


def runs(order, dataset):
    images = [dataset.images[i] for i in order]
    return [image for i, image in enumerate(images)
            if i == 0 or images[i - 1] != image]


def test_every_sample_once_images_contiguous():
    dataset = Persons()
    sampler = ViTPoseImageGroupedSampler(dataset, seed=0)
    order = list(sampler)
    assert sorted(order) == list(range(len(dataset)))
    assert sorted(runs(order, dataset)) == list(range(10))
    sampler.set_epoch(1)
    assert list(sampler) != order
    assert list(ViTPoseImageGroupedSampler(dataset, seed=0)) == order


@pytest.mark.parametrize('round_up', [True, False])
def test_ranks_split_the_epoch(round_up):
    dataset = Persons()
    shares = []
    for rank in range(3):
        with mock.patch(
                'vitpose_plugin.datasets.samplers.image_grouped_sampler.'
                'get_dist_info', return_value=(rank, 3)):
            sampler = ViTPoseImageGroupedSampler(
                dataset, seed=3, round_up=round_up)
        shares.append(list(sampler))
        assert len(sampler) == len(shares[-1])
    merged = sorted(i for share in shares for i in share)
    if round_up:
        assert len(merged) == 3 * len(shares[0]) >= len(dataset)
        assert set(merged) == set(range(len(dataset)))
    else:
        assert merged == list(range(len(dataset)))


def test_needs_an_image_key():
    class NoImage(Persons):
        def get_data_info(self, index):
            return {}

    with pytest.raises(KeyError, match='img_path or img_id'):
        ViTPoseImageGroupedSampler(NoImage(), seed=0)
