"""Image loading that decodes each image once for consecutive persons."""
from typing import Optional, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ViTPoseLoadImage(BaseTransform):
    """Decode ``results['img_path']`` as a BGR uint8 image, like MMPose's
    ``LoadImage`` (OpenCV, EXIF orientation applied), without its overhead.

    The last decoded image is kept, so consecutive samples of the same image
    (the persons of one image, see ``ViTPoseImageGroupedSampler``) decode it
    once. The image handed out is read-only: transforms that would modify
    it in place fail loudly instead of corrupting the next person's image.

    Args:
        backend_args (dict, optional): mmengine file backend arguments.
            Defaults to None (local files).
    """

    def __init__(self, backend_args: Optional[dict] = None) -> None:
        self.backend_args = backend_args
        self._last: Optional[Tuple[str, np.ndarray]] = None

    def _decode(self, path: str) -> np.ndarray:
        try:
            data = fileio.get(path, backend_args=self.backend_args)
        except FileNotFoundError as error:
            raise FileNotFoundError(
                f'ViTPoseLoadImage: image file not found: {path}') from error
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f'ViTPoseLoadImage: cannot decode {path} '
                             f'({len(data)} bytes): not an image or corrupt')
        image.setflags(write=False)
        return image

    def transform(self, results: dict) -> dict:
        path = results.get('img_path')
        if path is None:
            raise KeyError('ViTPoseLoadImage needs results["img_path"]; for '
                           'in-memory images use MMPose\'s LoadImage')
        if self._last is None or self._last[0] != path:
            self._last = (path, self._decode(path))
        image = self._last[1]
        results['img'] = image
        results['img_shape'] = image.shape[:2]
        results['ori_shape'] = image.shape[:2]
        return results

    def __getstate__(self) -> dict:
        # data-loader workers start without the parent's decoded image
        return dict(self.__dict__, _last=None)
