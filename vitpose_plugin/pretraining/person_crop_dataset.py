"""One sample per person box of COCO-format keypoint files, for MAE."""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import mmengine
import numpy as np
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS


def person_region(bbox_xyxy: Sequence[float], padding: float = 1.25,
                  aspect_ratio: float = 0.75) -> Tuple[float, float, float,
                                                       float]:
    """The region a top-down model crops around a person box.

    As MMPose's ``GetBBoxCenterScale`` + ``TopdownAffine``: the box is
    scaled by ``padding`` about its centre, then its shorter side (relative
    to ``aspect_ratio``) is lengthened until width / height equals it.

    Args:
        bbox_xyxy (Sequence[float]): x1, y1, x2, y2.
        padding (float): Box scale. Defaults to 1.25.
        aspect_ratio (float): Width / height of the model input.
            Defaults to 0.75 (192 / 256).

    Returns:
        tuple[float, float, float, float]: centre x, centre y, width,
        height.
    """
    x1, y1, x2, y2 = (float(v) for v in bbox_xyxy)
    width, height = (x2 - x1) * padding, (y2 - y1) * padding
    if width > height * aspect_ratio:
        height = width / aspect_ratio
    else:
        width = height * aspect_ratio
    return (x1 + x2) / 2, (y1 + y2) / 2, width, height


@DATASETS.register_module()
class ViTPosePersonCropDataset(BaseDataset):
    """Person boxes of a COCO-format keypoint file, one sample each.

    Every non-crowd person annotation with a box (clipped to its image,
    at least 1 pixel each way) and at least ``min_keypoints`` labelled
    keypoints is a sample: ``img_path``, ``bbox`` (x1, y1, x2, y2) and
    ``person_region`` (centre x, centre y, width, height), the box expanded
    as top-down pose models expand it (:func:`person_region`). Keypoints
    are not used; the pipeline crops the region on the fly
    (:class:`ViTPosePersonRandomResizedCrop`). Works on COCO train2017,
    AI Challenger in COCO format and the synthetic splits.

    Args:
        ann_file (str): COCO-format keypoint annotation file.
        data_root (str): Prefix of ``ann_file`` and the image folder.
            Defaults to ''.
        data_prefix (dict): ``dict(img_path=FOLDER)`` of the images.
            Defaults to ``dict(img_path='')``.
        padding (float): Box scale. Defaults to 1.25.
        aspect_ratio (float): Width / height of the region. Defaults to
            0.75 (192 / 256).
        min_keypoints (int): Fewest labelled keypoints of a person kept.
            Defaults to 1 (0 keeps every box).
        pipeline (Sequence): Transforms. Defaults to ().
        **kwargs: Other ``mmengine.dataset.BaseDataset`` arguments
            (``indices``, ``lazy_init``, ``test_mode``...).
    """

    def __init__(self,
                 ann_file: str,
                 data_root: str = '',
                 data_prefix: Optional[dict] = None,
                 padding: float = 1.25,
                 aspect_ratio: float = 0.75,
                 min_keypoints: int = 1,
                 pipeline: Sequence = (),
                 **kwargs) -> None:
        if padding <= 0 or aspect_ratio <= 0:
            raise ValueError(f'padding and aspect_ratio must be positive, '
                             f'got {padding} and {aspect_ratio}')
        if min_keypoints < 0:
            raise ValueError(f'min_keypoints must be >= 0, got '
                             f'{min_keypoints}')
        self.padding = padding
        self.aspect_ratio = aspect_ratio
        self.min_keypoints = min_keypoints
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=dict(data_prefix or dict(img_path='')),
            pipeline=list(pipeline),
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One dict per kept person annotation of ``ann_file``.

        Raises:
            FileNotFoundError: no ``ann_file``.
            ValueError: not a COCO keypoint file, or no person kept.
        """
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'ann_file {self.ann_file} does not exist; point data_root '
                f'/ ann_file at a COCO-format keypoint file')
        coco = mmengine.load(self.ann_file)
        if not isinstance(coco, dict) or not {'images', 'annotations'} <= \
                set(coco):
            raise ValueError(f'{self.ann_file} is not a COCO annotation '
                             f'file (needs "images" and "annotations")')
        persons = {cat['id'] for cat in coco.get('categories', [])
                   if cat.get('name') == 'person'} or {1}
        images = {image['id']: image for image in coco['images']}
        folder = self.data_prefix.get('img_path', '')
        data_list = []
        for ann in coco['annotations']:
            image = images.get(ann.get('image_id'))
            if image is None or ann.get('iscrowd', 0) or \
                    ann.get('category_id', 1) not in persons or \
                    'bbox' not in ann or \
                    ann.get('num_keypoints', 0) < self.min_keypoints:
                continue
            x, y, w, h = ann['bbox']
            x1, y1 = max(x, 0.), max(y, 0.)
            x2 = min(x + w, image['width'] - 1.)
            y2 = min(y + h, image['height'] - 1.)
            if x2 - x1 < 1 or y2 - y1 < 1:
                continue
            bbox = np.array([x1, y1, x2, y2], dtype=np.float32)
            data_list.append(
                dict(img_path=osp.join(folder, image['file_name']),
                     img_id=image['id'],
                     ann_id=ann.get('id', len(data_list)),
                     bbox=bbox,
                     person_region=np.array(
                         person_region(bbox, self.padding,
                                       self.aspect_ratio),
                         dtype=np.float32)))
        if not data_list:
            raise ValueError(
                f'{self.ann_file} has no non-crowd person box with at least '
                f'{self.min_keypoints} labelled keypoints; lower '
                f'min_keypoints or check the file')
        return data_list
