"""read_image: the one rule for image files in training, the inference API
and the demo: a truncated file is unreadable, a whole one decodes as
cv2.imread decodes it."""
import os

import cv2
import numpy as np
import pytest

from tests.apis.helpers import SAMPLE_IMAGES, truncated_jpeg
from vitpose_plugin.datasets.image_file import read_image, write_image


def test_whole_image_decodes_as_imread():
    np.testing.assert_array_equal(read_image(SAMPLE_IMAGES[0]),
                                  cv2.imread(SAMPLE_IMAGES[0]))


def test_truncated_image_is_unreadable(tmp_path):
    truncated = truncated_jpeg(tmp_path)
    # what the demo used to read: the decoded part, the rest grey
    assert cv2.imread(truncated) is not None
    with pytest.raises(ValueError, match=rf'cannot decode {truncated} '
                       r'\(5000 bytes\): not an image, truncated or corrupt'):
        read_image(truncated)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=f'image file not found: {tmp_path}/absent.jpg'):
        read_image(str(tmp_path / 'absent.jpg'))


def test_written_image_replaces_a_file_atomically(tmp_path):
    out = tmp_path / 'drawn.png'
    out.write_bytes(b'an earlier picture')
    # A second name of the old file: written in place, it would change too;
    # a new file renamed over the old name leaves it whole.
    os.link(out, tmp_path / 'reader.png')
    image = np.full((4, 6, 3), 200, np.uint8)
    write_image(str(out), image)
    assert (read_image(str(out)) == image).all()
    assert (tmp_path / 'reader.png').read_bytes() == b'an earlier picture'
    assert sorted(os.listdir(tmp_path)) == ['drawn.png', 'reader.png']
    with pytest.raises(ValueError, match='drawn.txt: OpenCV cannot write'):
        write_image(str(tmp_path / 'drawn.txt'), image)
