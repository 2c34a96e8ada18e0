"""Build + one epoch's order of ``ViTPoseImageGroupedSampler`` on a synthetic
dataset of the ViTPose++ mixture's size, side by side with the sampler's
previous implementation (``get_data_info`` of every sample at build, one
``rng.permutation`` per image for the order).

The samples are COCO top-down annotations (MMPose's ``CocoDataset`` layout,
serialised as mmengine keeps them), ``--samples`` persons in ``--images``
images, split over ``--datasets`` datasets of a ``ViTPoseDatasetMixture``
(1: a plain ``CocoDataset``). Both implementations read the same dataset in
this process, the previous one first; their image groups are checked equal.

Example::

    python tools/analysis/sampler_build.py --samples 750000 --images 300000
"""
import argparse
import time
from typing import Dict, List, Optional, Sequence, Sized, Tuple

import numpy as np
from mmpose.datasets import CocoDataset

from vitpose_plugin.datasets import (ViTPoseDatasetMixture,
                                     ViTPoseImageGroupedSampler)


class SyntheticCocoAnnotations(CocoDataset):
    """``num_samples`` COCO person annotations of one template, sample ``i``
    in image ``first_image + i * num_images // num_samples``.

    Args:
        num_samples (int): Persons.
        num_images (int): Images.
        first_image (int): The first image's id. Defaults to 0.
    """

    def __init__(self, num_samples: int, num_images: int,
                 first_image: int = 0) -> None:
        self.num_samples, self.num_images = num_samples, num_images
        self.first_image = first_image
        super().__init__(ann_file='', pipeline=[])

    def load_data_list(self) -> List[dict]:
        keypoints = np.random.default_rng(0).uniform(0, 400, (17, 3))
        keypoints[:, 2] = 2
        raw = dict(segmentation=[[10.0, 20.0, 30.0, 40.0, 50.0, 60.0]],
                   num_keypoints=17, area=5000.0, iscrowd=0,
                   keypoints=keypoints.ravel().tolist(),
                   bbox=[10.0, 20.0, 50.0, 100.0], category_id=1)
        template = dict(
            bbox=np.array([[10., 20., 60., 120.]], dtype=np.float32),
            bbox_score=np.ones(1, dtype=np.float32), num_keypoints=17,
            keypoints=keypoints[None, :, :2].astype(np.float32),
            keypoints_visible=np.ones((1, 17), dtype=np.float32),
            iscrowd=0, segmentation=raw['segmentation'], area=5000.0,
            category_id=1)
        samples = []
        for index in range(self.num_samples):
            image = self.first_image + index * self.num_images // \
                self.num_samples
            samples.append(dict(
                img_id=image, img_path=f'train/{image:012d}.jpg',
                **template, id=index, raw_ann_info=dict(raw, id=index,
                                                        image_id=image)))
        return samples


def previous_groups(dataset: Sized) -> Tuple[List[np.ndarray], np.ndarray]:
    """The previous build: every sample's ``get_data_info``."""
    groups: Dict[object, List[int]] = {}
    sources = np.zeros(len(dataset), dtype=np.int64)
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        groups.setdefault(info.get('img_path', info.get('img_id')),
                          []).append(index)
        sources[index] = info.get('dataset_idx', 0)
    return [np.asarray(group) for group in groups.values()], sources


def previous_order(groups: List[np.ndarray], sources: np.ndarray,
                   seed: int) -> np.ndarray:
    """The previous order: one permutation per image."""
    rng = np.random.default_rng(seed)
    persons = [rng.permutation(groups[image])
               for image in rng.permutation(len(groups))]
    return np.concatenate([
        group[np.argsort(sources[group], kind='stable')] for group in persons
    ])


def build_dataset(args: argparse.Namespace) -> Sized:
    """The synthetic dataset: one ``CocoDataset`` or a mixture."""
    bounds = np.linspace(0, args.samples, args.datasets + 1).astype(int)
    per_image = args.images / args.samples
    parts = [
        SyntheticCocoAnnotations(int(end - start),
                                 max(1, round((end - start) * per_image)),
                                 first_image=int(start * per_image))
        for start, end in zip(bounds[:-1], bounds[1:])
    ]
    if len(parts) == 1:
        return parts[0]
    return ViTPoseDatasetMixture(
        parts, names=[f'part{k}' for k in range(len(parts))])


def timed(function, *args) -> Tuple[object, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def image_partition(images: np.ndarray) -> List[Tuple[int, ...]]:
    """The samples of each image, as sorted tuples in a sorted list."""
    order = np.argsort(images, kind='stable')
    cuts = np.flatnonzero(np.diff(images[order])) + 1
    return sorted(tuple(part) for part in np.split(order, cuts))


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--samples', type=int, default=750_000)
    parser.add_argument('--images', type=int, default=300_000)
    parser.add_argument('--datasets', type=int, default=6,
                        help='datasets of the mixture (1: no mixture)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    dataset, made = timed(build_dataset, args)
    print(f'{len(dataset)} samples, {args.images} images, {args.datasets} '
          f'dataset(s): made and serialised in {made:.1f} s')
    (groups, sources), old_build = timed(previous_groups, dataset)
    old, old_order = timed(previous_order, groups, sources, args.seed)
    sampler, new_build = timed(
        lambda: ViTPoseImageGroupedSampler(dataset, seed=args.seed))
    new, new_order = timed(sampler._order)
    images = np.empty(len(dataset), dtype=np.int64)
    for number, group in enumerate(groups):
        images[group] = number
    if image_partition(images) != image_partition(sampler.images) or \
            not np.array_equal(np.sort(old), np.sort(new)):
        raise AssertionError('the two implementations group differently')
    print('| step | previous (s) | now (s) | speed-up |')
    print('| --- | ---: | ---: | ---: |')
    for step, before, after in (('build', old_build, new_build),
                                ("one epoch's order", old_order, new_order)):
        print(f'| {step} | {before:.2f} | {after:.2f} | '
              f'{before / after:.0f}x |')


if __name__ == '__main__':
    main()
