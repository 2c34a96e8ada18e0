"""Person boxes for top-down inference: a COCO detection-results file or an
MMDetection detector (its checkpoint read safely)."""
import json
import os.path as osp
from typing import Any, Dict, Optional

import numpy as np
from torch import nn

from ..checkpoints.files import read_checkpoint

#: Boxes are (N, 5) arrays: x1, y1, x2, y2, score.
Boxes = np.ndarray


def load_detection_json(path: str, category_id: int = 1) -> Dict[int, Boxes]:
    """A COCO detection-results file as ``{image_id: (N, 5) xyxy+score}``,
    boxes of ``category_id`` only, by descending score.

    Args:
        path (str): JSON list of ``{"image_id", "bbox": [x, y, w, h],
            "score", "category_id"}`` (MMPose's ``bbox_file``).
        category_id (int): The person category. Defaults to 1 (COCO).

    Raises:
        FileNotFoundError: no such file.
        ValueError: not such a list, or an entry without those keys.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'no detection file at {osp.abspath(path)}')
    with open(path) as f:
        try:
            entries = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f'{path} is not valid JSON: {error}') from None
    if not isinstance(entries, list):
        raise ValueError(f'{path} must hold a list of COCO detection results, '
                         f'got a {type(entries).__name__}')
    boxes: Dict[int, list] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not {'image_id', 'bbox'} <= set(
                entry) or len(entry['bbox']) != 4:
            raise ValueError(f'{path}: entry {index} is not a detection '
                             f'{{"image_id", "bbox": [x, y, w, h], "score", '
                             f'"category_id"}}: {entry!r}')
        if entry.get('category_id', category_id) != category_id:
            continue
        x, y, w, h = map(float, entry['bbox'])
        boxes.setdefault(int(entry['image_id']), []).append(
            [x, y, x + w, y + h, float(entry.get('score', 1.))])
    result = {}
    for image_id, rows in boxes.items():
        array = np.asarray(rows, dtype=np.float32)
        result[image_id] = array[np.argsort(-array[:, 4], kind='stable')]
    return result


def coco_image_ids(annotation_file: str) -> Dict[str, int]:
    """``{file_name: id}`` of a COCO annotation file's images."""
    if not osp.isfile(annotation_file):
        raise FileNotFoundError(
            f'no annotation file at {osp.abspath(annotation_file)}')
    with open(annotation_file) as f:
        images = json.load(f).get('images')
    if not isinstance(images, list):
        raise ValueError(f'{annotation_file} has no COCO "images" list')
    return {osp.basename(im['file_name']): int(im['id']) for im in images}


def image_id_from_name(name: str,
                       ids: Optional[Dict[str, int]] = None) -> int:
    """The image id of file ``name``: from ``ids`` if given, else its stem
    as a number (COCO's ``000000000785.jpg`` is 785).

    Raises:
        KeyError: ``name`` not in ``ids``, or a stem that is not a number.
    """
    base = osp.basename(name)
    if ids is not None:
        if base not in ids:
            raise KeyError(f'{base} is not an image of the annotation file')
        return ids[base]
    stem = osp.splitext(base)[0]
    if not stem.isdigit():
        raise KeyError(f'cannot tell the image id of {base}: its name is not '
                       f'a number; pass the COCO annotation file that lists '
                       f'it (--det-images)')
    return int(stem)


def init_person_detector(config: str, checkpoint: str,
                         device: str = 'cpu') -> nn.Module:
    """An MMDetection model with ``checkpoint`` read by the plugin's safe
    reader (mmdet's ``init_detector`` otherwise unpickles it with
    mmengine's ``torch.load``).

    Raises:
        ImportError: MMDetection is not installed.
    """
    from mmdet.apis import init_detector
    from mmengine.runner.checkpoint import _load_checkpoint_to_model
    if not osp.isfile(config):
        raise FileNotFoundError(f'no detector config at '
                                f'{osp.abspath(config)}')
    detector = init_detector(config, None, device='cpu')
    loaded: Any = read_checkpoint(checkpoint, 'cpu', 'det_checkpoint')
    _load_checkpoint_to_model(detector, loaded, strict=True)
    meta = loaded.get('meta', {}) if isinstance(loaded, dict) else {}
    if isinstance(meta.get('dataset_meta'), dict):
        detector.dataset_meta = dict(meta['dataset_meta'])
    return detector.to(device).eval()


def detect_persons(detector: nn.Module,
                   image: np.ndarray,
                   category_id: int = 0,
                   score_threshold: float = 0.3,
                   nms_threshold: float = 0.3) -> Boxes:
    """Boxes (N, 5) of ``category_id`` (0: person in COCO-trained
    MMDetection models) with score > ``score_threshold``, after NMS."""
    from mmdet.apis import inference_detector
    from mmpose.evaluation.functional import nms
    instances = inference_detector(detector, image).pred_instances.cpu()
    keep = (instances.labels.numpy() == category_id) & \
        (instances.scores.numpy() > score_threshold)
    boxes = np.concatenate([
        instances.bboxes.numpy()[keep],
        instances.scores.numpy()[keep, None]
    ], axis=1).astype(np.float32)
    return boxes[nms(boxes, nms_threshold)] if len(boxes) else boxes


__all__ = [
    'Boxes', 'coco_image_ids', 'detect_persons', 'image_id_from_name',
    'init_person_detector', 'load_detection_json'
]
