"""tools/analysis/mae_reconstructions.py: the three views of a crop; an
existing --out refused before anything is built unless --force."""
import pytest
import torch

from vitpose_plugin.checkpoints.files import OutputPathError
from ..pretraining.test_mae_pretraining import build_mae
from .helpers import load_tool

tool = load_tool('mae_reconstructions', 'analysis')


def test_views_paste_the_visible_patches_back():
    torch.manual_seed(0)
    model = build_mae().eval()
    images = torch.randint(0, 256, (2, 3, 64, 48), dtype=torch.uint8)
    inputs, masked, pasted = tool.reconstruct(model, images)
    assert inputs.shape == masked.shape == pasted.shape == (2, 3, 64, 48)
    head = model.head
    visible = head.patchify(masked).abs().sum(-1) > 0
    # a quarter of the 4x3 patches stays visible, exactly as in the input
    assert (visible.sum(1) == 3).all()
    torch.testing.assert_close(head.patchify(pasted)[visible],
                               head.patchify(inputs)[visible])
    assert not torch.equal(head.patchify(pasted)[~visible],
                           head.patchify(inputs)[~visible])
    preprocessor = model.data_preprocessor
    picture = tool.to_picture([inputs, masked, pasted], preprocessor.mean,
                              preprocessor.std, scale=2)
    # 2 rows and 3 columns of 64x48 crops with 4-pixel gaps, doubled
    assert picture.shape == (2 * (2 * 64 + 4), 2 * (3 * 48 + 2 * 4), 3)
    assert picture.dtype.name == 'uint8'


def test_an_existing_out_is_refused_before_anything_is_built(tmp_path):
    out = tmp_path / 'reconstructions.png'
    out.write_bytes(b'an earlier picture')
    # neither the config nor the checkpoint is read: the refusal comes first
    with pytest.raises(OutputPathError,
                       match=f'--out {out} exists; refusing to overwrite '
                       'it: choose another output path or pass --force'):
        tool.main(['no_config.py', 'no_checkpoint.pth', '--out', str(out)])
    assert out.read_bytes() == b'an earlier picture'
    with pytest.raises(SystemExit, match='end it in .png'):
        tool.main(['no_config.py', 'no_checkpoint.pth', '--out',
                   str(tmp_path / 'picture.txt')])

