from unittest import mock

import numpy as np
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


class TwoDatasetsOneImageSet(Persons):
    """Each image's persons annotated in two datasets of a mixture (as COCO
    and COCO-WholeBody), the second dataset's indices after the first's."""

    def __init__(self):
        super().__init__()
        self.images = self.images + self.images
        self.half = len(self.images) // 2

    def get_data_info(self, index):
        return dict(super().get_data_info(index),
                    dataset_idx=int(index >= self.half))


def test_an_images_persons_come_by_dataset_in_a_mixture():
    dataset = TwoDatasetsOneImageSet()
    order = list(ViTPoseImageGroupedSampler(dataset, seed=0))
    assert sorted(order) == list(range(len(dataset)))
    assert sorted(runs(order, dataset)) == list(range(10))
    sources = [int(i >= dataset.half) for i in order]
    # one run per image and dataset: each pipeline decodes the image once
    switches = sum(a != b for a, b in zip(sources, sources[1:]))
    assert switches == 2 * 10 - 1


def ranks_orders(dataset, world_size, round_up, **kwargs):
    """Each rank's share of the epoch's order."""
    shares = []
    for rank in range(world_size):
        with mock.patch(
                'vitpose_plugin.datasets.samplers.image_grouped_sampler.'
                'get_dist_info', return_value=(rank, world_size)):
            sampler = ViTPoseImageGroupedSampler(
                dataset, round_up=round_up, **kwargs)
        sampler.set_epoch(2)
        shares.append(list(sampler))
    return shares


@pytest.mark.parametrize('round_up', [True, False])
@pytest.mark.parametrize('world_size', [1, 2, 3])
def test_ranks_share_one_grouped_order(world_size, round_up):
    dataset = TwoDatasetsOneImageSet()
    shares = ranks_orders(dataset, world_size, round_up, seed=5)
    order = [i for share in shares for i in share]
    # contiguous shares of one order; padding repeats its start
    assert order[:len(dataset)] == ranks_orders(dataset, 1, False, seed=5)[0]
    assert order[len(dataset):] == order[:len(order) - len(dataset)]
    assert len({len(share) for share in shares}) == 1 or not round_up
    full = order[:len(dataset)]
    assert sorted(full) == list(range(len(dataset)))
    assert sorted(runs(full, dataset)) == list(range(10))
    sources = [int(i >= dataset.half) for i in full]
    for image in range(10):
        own = [s for i, s in zip(full, sources) if dataset.images[i] == image]
        assert own == sorted(own)


def test_unshuffled_order_is_first_appearance_then_index():
    dataset = TwoDatasetsOneImageSet()
    order = list(ViTPoseImageGroupedSampler(dataset, shuffle=False, seed=0))
    expected = [i for image in range(10) for i in range(len(dataset))
                if dataset.images[i] == image]
    assert order == expected
