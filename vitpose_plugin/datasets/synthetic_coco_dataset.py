"""MMPose's CocoDataset over a generated (and cached) synthetic split."""
import os.path as osp
from typing import Optional

from mmpose.datasets import CocoDataset
from mmpose.registry import DATASETS

from .synthetic_pose import SyntheticPoseParams, ensure_synthetic_coco


@DATASETS.register_module()
class SyntheticCocoDataset(CocoDataset):
    """``CocoDataset`` over synthetic figures, generated on first use.

    The split is written to ``<cache_root>/<name>-v<version>-<hash>/`` (see
    :func:`ensure_synthetic_coco`) when missing (distributed ranks may all
    generate; the first complete copy wins), so a plain
    ``tools/train.py CONFIG`` works on a fresh clone. All other arguments
    (``data_mode``, ``pipeline``, ``test_mode``...) are ``CocoDataset``'s.

    Args:
        generator (dict): ``SyntheticPoseParams`` fields, e.g.
            ``dict(seed=0, num_instances=2000)``. Defaults to ``{}``.
        cache_root (str): Directory holding generated splits.
            Defaults to ``'data/synthetic_coco'``.
        name (str): Readable prefix of the split's directory.
            Defaults to ``'split'``.
        **kwargs: Passed to ``CocoDataset``; ``ann_file``, ``data_root`` and
            ``data_prefix`` are set here and may not be given.
    """

    def __init__(self,
                 generator: Optional[dict] = None,
                 cache_root: str = 'data/synthetic_coco',
                 name: str = 'split',
                 **kwargs) -> None:
        given = {'ann_file', 'data_root', 'data_prefix'} & set(kwargs)
        if given:
            raise TypeError(f'{type(self).__name__} sets {sorted(given)} '
                            'itself; choose the data with `generator`')
        self.params = SyntheticPoseParams(**(generator or {}))
        self.dataset_dir = ensure_synthetic_coco(cache_root, self.params,
                                                 name)
        super().__init__(
            ann_file=osp.join(self.dataset_dir, 'annotations.json'),
            data_prefix=dict(img=osp.join(self.dataset_dir, 'images') + '/'),
            **kwargs)
