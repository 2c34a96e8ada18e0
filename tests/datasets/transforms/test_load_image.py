"""ViTPoseLoadImage on images that are missing, truncated or not images:
an error naming the file and the annotation id, or with bad_sample='skip'
(its own or a preceding ViTPoseCheckAnnotation's) a logged skip."""
import os.path as osp
import shutil
from types import SimpleNamespace

import pytest

import vitpose_plugin  # noqa: F401
from vitpose_plugin.datasets import ViTPoseLoadImage

from ...conftest import REPO_ROOT
from ..log_capture import current_log_file, warnings_of

JPEG = osp.join(REPO_ROOT, 'data', 'sample_coco', '000000000785.jpg')


@pytest.fixture
def images(tmp_path):
    """A good JPEG, the same JPEG cut in half, garbage named .jpg, and the
    path of a file that does not exist."""
    good = tmp_path / 'good.jpg'
    shutil.copy(JPEG, good)
    data = good.read_bytes()
    (tmp_path / 'truncated.jpg').write_bytes(data[:len(data) // 2])
    (tmp_path / 'garbage.jpg').write_bytes(b'\x00garbage' * 64)
    return {name: str(tmp_path / f'{name}.jpg')
            for name in ('good', 'truncated', 'garbage', 'missing')}


BAD = {'truncated': ValueError, 'garbage': ValueError,
       'missing': FileNotFoundError}


@pytest.mark.parametrize('kind', sorted(BAD))
def test_error_names_file_and_annotation(images, kind):
    with pytest.raises(BAD[kind]) as info:
        ViTPoseLoadImage()(dict(img_path=images[kind], id=31, img_id=5))
    message = str(info.value)
    assert f'{kind}.jpg' in message and 'annotation id 31' in message
    assert "bad_sample='skip'" in message


@pytest.mark.parametrize('kind', sorted(BAD))
def test_skip_drops_and_logs_then_loads_the_next(images, kind, tmp_path):
    log = current_log_file(tmp_path)
    loader = ViTPoseLoadImage(bad_sample='skip')
    assert loader(dict(img_path=images['good'], id=1)) is not None
    assert loader(dict(img_path=images[kind], id=31)) is None
    assert loader(dict(img_path=images[kind], id=32)) is None
    out = loader(dict(img_path=images['good'], id=2))
    assert out['img'].shape == (425, 640, 3)
    warnings = warnings_of(log, 'ViTPoseLoadImage: skipped')
    assert len(warnings) == 2
    assert f'{kind}.jpg' in warnings[0] and 'annotation id 31' in warnings[0]
    assert 'bad samples skipped: 1 ' in warnings[0]
    assert 'bad samples skipped: 2 ' in warnings[1]


def test_policy_follows_the_check_unless_set(images):
    bad = dict(img_path=images['missing'], id=31)
    assert ViTPoseLoadImage()(dict(bad, bad_sample='skip')) is None
    with pytest.raises(FileNotFoundError):
        ViTPoseLoadImage(bad_sample='error')(dict(bad, bad_sample='skip'))
    assert ViTPoseLoadImage(bad_sample='skip')(
        dict(bad, bad_sample='error')) is None


def test_skip_refuses_in_test_mode(images):
    dataset = SimpleNamespace(test_mode=True)
    with pytest.raises(ValueError, match='training only'):
        ViTPoseLoadImage(bad_sample='skip')(
            dict(img_path=images['garbage'], id=31, dataset=dataset))


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="bad_sample='warn'"):
        ViTPoseLoadImage(bad_sample='warn')


def test_shared_decoded_image_is_decoded_once(monkeypatch):
    """Loaders that share their decoded image (a mixture's pipelines)
    decode an image once for consecutive persons of either; a pickled
    copy (a loader worker's) starts empty and still shares."""
    import pickle

    from vitpose_plugin.datasets.image_file import share_decoded_images
    from vitpose_plugin.datasets.transforms import load_image
    first, second, other = (ViTPoseLoadImage() for _ in range(3))
    other.backend_args = dict(backend='local')
    share_decoded_images([first, 'not a loader', second, other])
    assert first.decoded is second.decoded is not other.decoded
    calls = []
    read = load_image.read_image
    monkeypatch.setattr(load_image, 'read_image',
                        lambda *args: calls.append(args) or read(*args))
    image = first(dict(img_path=JPEG))['img']
    assert second(dict(img_path=JPEG))['img'] is image
    assert len(calls) == 1
    copies = pickle.loads(pickle.dumps([first, second]))
    assert copies[0].decoded is copies[1].decoded
    assert copies[0].decoded.path is None
