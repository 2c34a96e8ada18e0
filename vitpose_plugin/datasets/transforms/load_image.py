"""Image loading that decodes each image once for consecutive persons."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS

from ..image_file import DecodedImage, read_image
from .bad_sample import (BadSampleCounter, check_bad_sample_policy,
                         describe_sample, evaluation_advice, in_test_mode)


@TRANSFORMS.register_module()
class ViTPoseLoadImage(BaseTransform):
    """Decode ``results['img_path']`` as a BGR uint8 image, like MMPose's
    ``LoadImage`` (OpenCV, EXIF orientation applied), without its overhead.

    The last decoded image is kept (:attr:`decoded`), so consecutive samples
    of the same image (the persons of one image, see
    ``ViTPoseImageGroupedSampler``) decode it once. The image handed out is read-only: transforms that would modify
    it in place fail loudly instead of corrupting the next person's image.

    A missing file raises ``FileNotFoundError``, a file that does not decode
    (not an image, truncated, corrupt) ``ValueError``, each naming the file
    and the sample's annotation id; with ``bad_sample='skip'`` the sample is
    logged as a warning with a running count instead and dropped (None, and
    mmengine's ``BaseDataset`` draws another sample), except in a
    ``test_mode`` dataset, which would lose it from the evaluation: there it
    raises in either mode, and its message says which annotation (or
    detection) file to fix, as ``ViTPoseCheckAnnotation``'s does.

    Args:
        backend_args (dict, optional): mmengine file backend arguments.
            Defaults to None (local files).
        bad_sample (str, optional): ``'error'`` or ``'skip'``. Defaults to
            None: ``results['bad_sample']``, the policy of a preceding
            ``ViTPoseCheckAnnotation``, else ``'error'``.
    """

    def __init__(self,
                 backend_args: Optional[dict] = None,
                 bad_sample: Optional[str] = None) -> None:
        check_bad_sample_policy(
            bad_sample, type(self).__name__, allow_none=True)
        self.backend_args = backend_args
        self.bad_sample = bad_sample
        self.skipped = BadSampleCounter(type(self).__name__)
        self.decoded = DecodedImage()

    def _decode(self, path: str) -> np.ndarray:
        try:
            image = read_image(path, self.backend_args)
        except (FileNotFoundError, ValueError) as error:
            raise type(error)(f'ViTPoseLoadImage: {error}') from error
        image.setflags(write=False)
        return image

    def transform(self, results: dict) -> Optional[dict]:
        """The sample with ``img``, ``img_shape`` and ``ori_shape``, or None
        for an unreadable image in ``'skip'`` mode.

        Raises:
            FileNotFoundError: a missing file, ``'error'`` mode.
            ValueError: an undecodable file, ``'error'`` mode.
        """
        path = results.get('img_path')
        if path is None:
            raise KeyError('ViTPoseLoadImage needs results["img_path"]; for '
                           'in-memory images use MMPose\'s LoadImage')
        if self.decoded.path != path:
            try:
                image = self._decode(path)
            except (OSError, ValueError) as error:
                return self._bad_image(results, error)
            self.decoded.path, self.decoded.image = path, image
        image = self.decoded.image
        results['img'] = image
        results['img_shape'] = image.shape[:2]
        results['ori_shape'] = image.shape[:2]
        return results

    def _bad_image(self, results: dict, error: Exception) -> None:
        policy = self.bad_sample or results.get('bad_sample') or 'error'
        if policy == 'skip' and not in_test_mode(results):
            self.skipped.skip(results, str(error))
            return None
        if in_test_mode(results):
            advice = f'replace the image file; {evaluation_advice(results)}'
        else:
            advice = ("replace or remove the file, or set bad_sample='skip' "
                      '(on ViTPoseLoadImage or the ViTPoseCheckAnnotation '
                      'before it) to train on other samples instead')
        message = f'{error} ({describe_sample(results)}); {advice}'
        raise type(error)(message) from error
