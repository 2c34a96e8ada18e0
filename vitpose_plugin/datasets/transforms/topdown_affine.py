"""Top-down affine crop that warps a mirrored image from its original."""
import cv2
import numpy as np
from mmpose.datasets.transforms import TopdownAffine
from mmpose.registry import TRANSFORMS
from mmpose.structures.bbox import get_udp_warp_matrix, get_warp_matrix


def _is_horizontal_mirror_view(image: np.ndarray) -> bool:
    return image.ndim >= 2 and image.strides[1] < 0 and \
        image[:, ::-1].flags.c_contiguous


@TRANSFORMS.register_module()
class ViTPoseTopdownAffine(TopdownAffine):
    """MMPose's ``TopdownAffine`` (same arguments, same outputs), faster on
    flipped images.

    ``RandomFlip`` returns the flipped image as a mirrored view; OpenCV
    copies such a view before warping, which costs more than the warp. Here
    the mirror is folded into the affine matrix and the original image is
    warped instead. The crop differs from MMPose's only by OpenCV's
    fixed-point rounding of the sampling positions (a few grey levels at
    most); keypoints are transformed exactly as MMPose does.
    """

    def transform(self, results: dict) -> dict:
        image = results['img']
        if not (isinstance(image, np.ndarray)
                and _is_horizontal_mirror_view(image)):
            return super().transform(results)
        w, h = self.input_size
        results['bbox_scale'] = self._fix_aspect_ratio(
            results['bbox_scale'], aspect_ratio=w / h)
        if results['bbox_center'].shape[0] != 1:
            raise ValueError('ViTPoseTopdownAffine crops one instance per '
                             'sample, got bbox_center of shape '
                             f'{results["bbox_center"].shape}')
        center = results['bbox_center'][0]
        scale = results['bbox_scale'][0]
        rotation = results['bbox_rotation'][0] \
            if 'bbox_rotation' in results else 0.
        matrix_fn = get_udp_warp_matrix if self.use_udp else get_warp_matrix
        warp = matrix_fn(center, scale, rotation, output_size=(w, h))
        # the view shows original column (width - 1 - x) at column x
        mirror = np.array([[-1., 0., image.shape[1] - 1], [0., 1., 0.],
                           [0., 0., 1.]])
        results['img'] = cv2.warpAffine(
            image[:, ::-1], warp @ mirror, (int(w), int(h)),
            flags=cv2.INTER_LINEAR)
        keypoints = results.get('keypoints')
        if keypoints is not None:
            transformed = keypoints.copy()
            transformed[..., :2] = cv2.transform(keypoints[..., :2], warp)
            results['transformed_keypoints'] = transformed
        else:
            results['transformed_keypoints'] = np.zeros([])
            results['keypoints_visible'] = np.ones((1, 1, 1))
        results['input_size'] = (w, h)
        results['input_center'] = center
        results['input_scale'] = scale
        return results
