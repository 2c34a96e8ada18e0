"""InterHand2.6M 2D as the official ViTPose configs read it (MMPose 0.x's
``InterHand2DDataset``): one 21-keypoint sample per valid hand."""
import json
import os.path as osp
from typing import Any, List, Optional, Tuple

import numpy as np
from mmengine.fileio import exists, get_local_path
from mmengine.utils import is_abs
from mmpose.datasets import InterHand2DDoubleDataset
from mmpose.registry import DATASETS
from xtcocotools.coco import COCO

#: Keypoints per hand; InterHand2.6M lists the right hand's 21, then the
#: left hand's, each from thumb tip (0) to wrist (20).
HAND_KEYPOINTS = 21
#: (hand, index of its first keypoint in the annotation's 42)
HANDS = (('right', 0), ('left', HAND_KEYPOINTS))
#: A hand is a sample when more than this many of its joints are valid
#: (after the wrist's validity is applied to all of them), as in MMPose 0.x.
MIN_VALID_JOINTS = 11


def tight_hand_box(keypoints: np.ndarray, visible: np.ndarray, width: int,
                   height: int) -> np.ndarray:
    """The box (x1, y1, x2, y2) of a hand's visible keypoints, as MMPose 0.x
    made it: the extremes start at the image's far corner and (0, 0), so
    the box of a hand beyond an image edge stretches back to that edge.

    Args:
        keypoints (np.ndarray): (K, 2) pixel coordinates.
        visible (np.ndarray): (K,) booleans, at least one True.
        width (int): The image width.
        height (int): The image height.

    Returns:
        np.ndarray: float32 array of shape (1, 4).
    """
    points = keypoints[visible]
    x1, y1 = np.minimum(points.min(axis=0), (width, height))
    x2, y2 = np.maximum(points.max(axis=0), 0)
    return np.array([[x1, y1, x2, y2]], dtype=np.float32)


def read_json_file(path: str, option: str) -> Any:
    """The parsed JSON of ``path``.

    Args:
        path (str): The file (local or a mmengine backend's).
        option (str): The argument that named it, for the error.

    Raises:
        ValueError: the file is not JSON (naming ``option`` and ``path``).
    """
    with get_local_path(path) as local_path:
        with open(local_path) as file:
            try:
                return json.load(file)
            except json.JSONDecodeError as error:
                raise ValueError(f'{option} {path} is not valid JSON: '
                                 f'{error}') from error


@DATASETS.register_module()
class InterHand2DSingleHandDataset(InterHand2DDoubleDataset):
    """InterHand2.6M 2D hands, one sample per valid hand (MMPose 0.x's
    ``InterHand2DDataset``, which the official ViTPose configs train on).

    Each annotation (image) gives a sample for each hand with more than
    :data:`MIN_VALID_JOINTS` valid joints, a hand's joints all invalid when
    its wrist is: 21 keypoints in InterHand2.6M's order (MMPose's
    ``interhand2d`` metainfo: no flip pairs, a flipped right hand stays a
    right hand's labels), projected from the world coordinates of
    ``joint_file`` with the cameras of ``camera_param_file`` as MMPose 1.x's
    ``InterHand2DDoubleDataset`` does, and the tight box of its valid
    keypoints (pad it 1.5x in the pipeline: ``GetBBoxCenterScale(
    padding=1.5)``; PCK is normalised by this box). Right hand first.

    MMPose 0.x read only the first annotation of an image; this reads all
    (InterHand2.6M has one per image). Its training set also moved 30% of
    the box centres once, at load time, by up to 20% of the box; here the
    centres are the boxes' own and shifts belong to the pipeline.

    Args:
        ann_file (str): The ``*_data.json`` file. Defaults to ''.
        camera_param_file (str): The ``*_camera.json`` file. Defaults to ''.
        joint_file (str): The ``*_joint_3d.json`` file. Defaults to ''.
        **kwargs: ``BaseCocoStyleDataset``'s other arguments
            (``data_root``, ``data_prefix``, ``pipeline``, ``test_mode``,
            ``indices``...).

    Raises:
        FileNotFoundError: one of the three files does not exist.
        ValueError: a file is not JSON, or an annotation's camera, frame or
            joint counts are missing or wrong (naming the files and the
            annotation).
    """

    METAINFO: dict = dict(from_file='configs/_base_/datasets/interhand2d.py')

    def __init__(self,
                 ann_file: str = '',
                 camera_param_file: str = '',
                 joint_file: str = '',
                 data_root: Optional[str] = None,
                 **kwargs) -> None:
        for option, path in (('ann_file', ann_file),
                             ('camera_param_file', camera_param_file),
                             ('joint_file', joint_file)):
            if data_root is not None and not is_abs(path):
                path = osp.join(data_root, path)
            if not path or not exists(path):
                raise FileNotFoundError(
                    f'{type(self).__name__}: {option} {path!r} does not '
                    f'exist (InterHand2.6M needs the *_data.json, '
                    f'*_camera.json and *_joint_3d.json of a split)')
        super().__init__(
            ann_file=ann_file,
            camera_param_file=camera_param_file,
            joint_file=joint_file,
            data_root=data_root,
            use_gt_root_depth=True,
            **kwargs)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        """One instance per valid hand, and the images."""
        annotations = read_json_file(self.ann_file, 'ann_file')
        if not isinstance(annotations, dict) or not {
                'images', 'annotations'} <= set(annotations):
            raise ValueError(
                f'ann_file {self.ann_file} is not an InterHand2.6M '
                f'*_data.json: expected a JSON object with "images" and '
                f'"annotations"')
        self.coco = COCO()
        self.coco.dataset = annotations
        self.coco.createIndex()
        self.cameras = read_json_file(self.camera_param_file,
                                      'camera_param_file')
        self.joints = read_json_file(self.joint_file, 'joint_file')

        instance_list, image_list = [], []
        for idx, img_id in enumerate(self.coco.getImgIds()):
            if idx % self.sample_interval != 0:
                continue
            img = dict(
                self.coco.loadImgs(img_id)[0],
                img_id=img_id,
                img_path=osp.join(self.data_prefix['img'],
                                  self.coco.imgs[img_id]['file_name']))
            image_list.append(img)
            for ann in self.coco.loadAnns(self.coco.getAnnIds(imgIds=img_id)):
                both_hands = self.parse_data_info(
                    dict(raw_ann_info=ann, raw_img_info=img))
                instance_list.extend(self._valid_hands(both_hands, img))
        return instance_list, image_list

    def parse_data_info(self, raw_data_info: dict) -> dict:
        """``InterHand2DDoubleDataset``'s instance (42 keypoints), or a
        ``ValueError`` naming the annotation and files it cannot read."""
        ann = raw_data_info['raw_ann_info']
        img = raw_data_info['raw_img_info']
        try:
            both_hands = super().parse_data_info(raw_data_info)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise self._annotation_error(
                ann, img, f'{type(error).__name__}: {error}') from error
        shapes = (both_hands['keypoints'].shape,
                  both_hands['keypoints_visible'].shape)
        if shapes != ((1, 2 * HAND_KEYPOINTS, 2), (1, 2 * HAND_KEYPOINTS)):
            raise self._annotation_error(
                ann, img, f'expected {2 * HAND_KEYPOINTS} joints (world '
                f'coordinates and joint_valid), got shapes {shapes}')
        if 'width' not in img or 'height' not in img:
            raise self._annotation_error(
                ann, img, 'its image has no width or height')
        return both_hands

    def _annotation_error(self, ann: dict, img: dict,
                          problem: str) -> ValueError:
        return ValueError(
            f'{type(self).__name__}: annotation {ann.get("id")} (image '
            f'{img.get("file_name")}) in ann_file {self.ann_file} cannot be '
            f'read with camera_param_file {self.camera_param_file} and '
            f'joint_file {self.joint_file}: {problem}')

    def _valid_hands(self, both_hands: dict, img: dict) -> List[dict]:
        """The right and left hand of an instance that have enough valid
        joints, each with its 21 keypoints and tight box."""
        hands = []
        for hand, first in HANDS:
            joints = slice(first, first + HAND_KEYPOINTS)
            visible = both_hands['keypoints_visible'][:, joints]
            if visible.sum() <= MIN_VALID_JOINTS:
                continue
            keypoints = both_hands['keypoints'][:, joints]
            hands.append(
                dict(
                    both_hands,
                    keypoints=keypoints,
                    keypoints_visible=visible,
                    bbox=tight_hand_box(keypoints[0], visible[0] > 0,
                                        img['width'], img['height']),
                    num_keypoints=int(np.count_nonzero(visible)),
                    hand_type=self.encode_handtype(hand)))
        return hands
