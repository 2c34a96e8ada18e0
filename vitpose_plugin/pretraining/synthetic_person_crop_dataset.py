"""Person crops of a generated synthetic split."""
import os.path as osp
from typing import Optional

from mmpretrain.registry import DATASETS

from ..datasets.synthetic_coco_dataset import resolve_cache_root
from ..datasets.synthetic_pose import (SyntheticPoseParams,
                                       ensure_synthetic_coco)
from .person_crop_dataset import ViTPosePersonCropDataset


@DATASETS.register_module()
class ViTPoseSyntheticPersonCropDataset(ViTPosePersonCropDataset):
    """:class:`ViTPosePersonCropDataset` over a synthetic split, generated
    on first use like ``SyntheticCocoDataset``'s (same cache).

    Args:
        generator (dict): ``SyntheticPoseParams`` fields, e.g.
            ``dict(seed=30, num_instances=4000)``; pick a seed no other
            split of the experiment uses. Defaults to ``{}``.
        cache_root (str, optional): Absolute directory of generated splits.
            Defaults to None (the user's cache directory).
        name (str): Readable prefix of the split's directory.
            Defaults to ``'split'``.
        **kwargs: ``ViTPosePersonCropDataset`` arguments except
            ``ann_file``, ``data_root`` and ``data_prefix``.
    """

    def __init__(self,
                 generator: Optional[dict] = None,
                 cache_root: Optional[str] = None,
                 name: str = 'split',
                 **kwargs) -> None:
        given = {'ann_file', 'data_root', 'data_prefix'} & set(kwargs)
        if given:
            raise TypeError(f'{type(self).__name__} sets {sorted(given)} '
                            'itself; choose the data with `generator`')
        self.params = SyntheticPoseParams(**dict(generator or {}))
        self.dataset_dir = ensure_synthetic_coco(
            resolve_cache_root(cache_root), self.params, name)
        super().__init__(
            ann_file=osp.join(self.dataset_dir, 'annotations.json'),
            data_prefix=dict(
                img_path=osp.join(self.dataset_dir, 'images') + '/'),
            **kwargs)
