"""A sampler that visits the persons of one image consecutively."""
import math
from typing import Dict, Iterator, List, Optional, Sized, Tuple

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from mmpose.registry import DATA_SAMPLERS
from torch.utils.data import Sampler


@DATA_SAMPLERS.register_module()
class ViTPoseImageGroupedSampler(Sampler):
    """Every sample once per epoch, the samples of one image in a row.

    Images are visited in random order and the persons of each image in
    random order, one after the other, so that ``ViTPoseLoadImage`` decodes
    each image once for all its persons (COCO train2017 has 2.65 annotated
    persons per image). In a mixture (``dataset_idx`` in the data info)
    the persons of an image from one dataset come together, datasets in
    index order: each dataset's pipeline (its own ``ViTPoseLoadImage``)
    decodes a shared image (COCO and COCO-WholeBody) once. Compared with
    ``DefaultSampler`` only the batch
    composition changes: the persons of an image share a batch. Each rank
    takes a contiguous share of the epoch's order (padded like
    ``DefaultSampler`` with ``round_up``).

    Args:
        dataset (Sized): The dataset; ``get_data_info(i)`` must give
            ``img_path`` or ``img_id``.
        shuffle (bool): Random image and person order. Defaults to True.
        seed (int, optional): Shuffle seed, shared by all ranks. Defaults to
            None (a random seed synchronised across ranks).
        round_up (bool): Pad the order so every rank gets the same number
            of samples. Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.round_up = round_up
        self.epoch = 0
        self.groups, self.sources = self._image_groups(dataset)
        total = len(dataset)
        if round_up:
            self.num_samples = math.ceil(total / self.world_size)
            self.total_size = self.num_samples * self.world_size
        else:
            # np.array_split's share sizes
            self.num_samples = total // self.world_size + int(
                self.rank < total % self.world_size)
            self.total_size = total

    @staticmethod
    def _image_groups(dataset: Sized) -> Tuple[List[np.ndarray], np.ndarray]:
        """The sample indices of each image, and each sample's dataset index
        in a mixture (0 otherwise)."""
        groups: Dict[object, List[int]] = {}
        sources = np.zeros(len(dataset), dtype=np.int64)
        for index in range(len(dataset)):
            info = dataset.get_data_info(index)
            key = info.get('img_path', info.get('img_id'))
            if key is None:
                raise KeyError(
                    'ViTPoseImageGroupedSampler needs img_path or img_id in '
                    f'the data info of sample {index} of '
                    f'{type(dataset).__name__}')
            groups.setdefault(key, []).append(index)
            sources[index] = info.get('dataset_idx', 0)
        return [np.asarray(group) for group in groups.values()], sources

    def _by_source(self, persons: np.ndarray) -> np.ndarray:
        # a stable sort keeps the random order within each dataset
        return persons[np.argsort(self.sources[persons], kind='stable')]

    def _order(self) -> np.ndarray:
        if not self.shuffle:
            return np.concatenate([self._by_source(g) for g in self.groups])
        rng = np.random.default_rng(self.seed + self.epoch)
        return np.concatenate([
            self._by_source(rng.permutation(self.groups[image]))
            for image in rng.permutation(len(self.groups))
        ])

    def __iter__(self) -> Iterator[int]:
        order = self._order()
        if self.round_up and self.total_size > len(order):
            repeats = math.ceil(self.total_size / len(order))
            order = np.tile(order, repeats)[:self.total_size]
        if self.round_up:
            start = self.rank * self.num_samples
            share = order[start:start + self.num_samples]
        else:
            share = np.array_split(order, self.world_size)[self.rank]
        return iter(share.tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch`` for the next epoch's order (as ``DefaultSampler``)."""
        self.epoch = epoch
