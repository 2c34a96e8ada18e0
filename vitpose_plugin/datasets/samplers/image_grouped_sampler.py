"""A sampler that visits the persons of one image consecutively."""
import math
from typing import Dict, Hashable, Iterator, List, Optional, Sized

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from mmpose.registry import DATA_SAMPLERS
from torch.utils.data import Sampler

from ..sample_image_keys import sample_image_keys


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
    ``DefaultSampler`` with ``round_up``). The images are read once at
    build (``sample_image_keys``, without deserialising the samples) and
    each epoch's order is one ``numpy.argsort``.

    Args:
        dataset (Sized): The dataset; ``get_data_info(i)`` must give
            ``img_path`` or ``img_id`` (in that order of preference).
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
        keys, self.sources = sample_image_keys(dataset)
        self.images = self._image_indices(keys)
        self.num_images = int(self.images.max(initial=-1)) + 1
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
    def _image_indices(keys: List[Hashable]) -> np.ndarray:
        """Each sample's image as an index, images numbered in order of
        first appearance."""
        numbers: Dict[Hashable, int] = {}
        return np.fromiter((numbers.setdefault(key, len(numbers))
                            for key in keys),
                           dtype=np.int64, count=len(keys))

    def _order(self) -> np.ndarray:
        """The epoch's order: by image rank, then dataset index, then
        person rank (random ranks when shuffling, else first appearance
        and sample index)."""
        size = len(self.images)
        if self.shuffle:
            rng = np.random.default_rng(self.seed + self.epoch)
            image_rank = rng.permutation(self.num_images)[self.images]
            person_rank = rng.permutation(size)
        else:
            image_rank, person_rank = self.images, np.arange(size)
        # one int64 key (unique: person ranks are), 5x faster than a
        # lexsort of the three; fits below ~10^9 samples
        sources = int(self.sources.max(initial=0)) + 1
        return np.argsort(
            (image_rank * sources + self.sources) * size + person_rank)

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
