"""A sampler that visits the persons of one image consecutively."""
import math
from typing import Dict, Iterator, List, Optional, Sized

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
    persons per image). Compared with ``DefaultSampler`` only the batch
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
        self.groups = self._image_groups(dataset)
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
    def _image_groups(dataset: Sized) -> List[np.ndarray]:
        groups: Dict[object, List[int]] = {}
        for index in range(len(dataset)):
            info = dataset.get_data_info(index)
            key = info.get('img_path', info.get('img_id'))
            if key is None:
                raise KeyError(
                    'ViTPoseImageGroupedSampler needs img_path or img_id in '
                    f'the data info of sample {index} of '
                    f'{type(dataset).__name__}')
            groups.setdefault(key, []).append(index)
        return [np.asarray(group) for group in groups.values()]

    def _order(self) -> np.ndarray:
        if not self.shuffle:
            return np.concatenate(self.groups)
        rng = np.random.default_rng(self.seed + self.epoch)
        return np.concatenate([
            rng.permutation(self.groups[image])
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
