"""Reading an image file, with truncated files refused: the one rule for
training (``ViTPoseLoadImage``), the inference API and the demo; writing one
atomically (the demo, the analysis tools)."""
import os.path as osp
from typing import Dict, Iterable, Optional

import cv2
import numpy as np
from mmengine import fileio

from ..checkpoints.files import write_atomically


def decode_image(data: bytes, path: str) -> np.ndarray:
    """The BGR uint8 image encoded in ``data`` (EXIF orientation applied).

    OpenCV's decoders refuse a buffer that ends early (a truncated JPEG,
    PNG, BMP, WebP or TIFF), whereas ``cv2.imread`` on the same file
    returns the decoded part with the rest grey: decoding the file's bytes
    is what makes a truncated image unreadable.

    Args:
        data (bytes): The file's contents.
        path (str): The file, for the error message.

    Raises:
        ValueError: ``data`` is not a complete image.
    """
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'cannot decode {path} ({len(data)} bytes): not an '
                         'image, truncated or corrupt')
    return image


def read_image(path: str, backend_args: Optional[dict] = None) -> np.ndarray:
    """The BGR uint8 image in file ``path`` (see :func:`decode_image`).

    Args:
        path (str): Image file or URL.
        backend_args (dict, optional): mmengine file backend arguments.
            Defaults to None (local files).

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a complete image (truncated, corrupt, another type).
    """
    try:
        data = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError as error:
        raise FileNotFoundError(f'image file not found: {path}') from error
    return decode_image(data, path)


def write_image(path: str, image: np.ndarray) -> None:
    """Encode ``image`` in the format of ``path``'s suffix and write it
    through :func:`~..checkpoints.files.write_atomically` (an existing file
    is replaced: check it first with ``check_output_path``).

    Args:
        path (str): The file to write, e.g. ``.png`` or ``.jpg``.
        image (np.ndarray): BGR uint8, (H, W, 3).

    Raises:
        ValueError: OpenCV cannot write images named as ``path``.
    """
    if not cv2.haveImageWriter(path):
        raise ValueError(f'{path}: OpenCV cannot write an image of that '
                         f'name; end it in .png or .jpg')
    _, content = cv2.imencode(osp.splitext(path)[1], image)
    write_atomically(path, lambda file: file.write(content.tobytes()))


class DecodedImage:
    """The image a ``ViTPoseLoadImage`` decoded last, and its path: one
    object that several of them (the pipelines of a mixture's datasets,
    see :func:`share_decoded_images`) can share. Pickled empty: data-loader
    workers start without the parent's image."""

    def __init__(self) -> None:
        self.path: Optional[str] = None
        self.image: Optional[np.ndarray] = None

    def __getstate__(self) -> dict:
        return dict(path=None, image=None)


def share_decoded_images(transforms: Iterable) -> None:
    """Let the image loaders among ``transforms`` (those keeping a
    :class:`DecodedImage` in ``decoded``, as ``ViTPoseLoadImage``) with the
    same ``backend_args`` reuse the image that any of them decoded last:
    the persons of an image annotated in two datasets of a mixture (COCO
    and COCO-WholeBody) then decode it once, when they come in a row.

    Args:
        transforms (Iterable): Transforms of one process's pipelines.
    """
    shared: Dict[str, DecodedImage] = {}
    for transform in transforms:
        decoded = getattr(transform, 'decoded', None)
        if isinstance(decoded, DecodedImage):
            key = repr(getattr(transform, 'backend_args', None))
            transform.decoded = shared.setdefault(key, decoded)


__all__ = ['DecodedImage', 'decode_image', 'read_image',
           'share_decoded_images', 'write_image']
