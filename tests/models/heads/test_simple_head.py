import pytest
import torch
import torch.nn.functional as F

from vitpose_plugin.models import ViTPoseSimpleHead

from .test_classic_head import CODEC, make_samples


def make_head(**kwargs):
    cfg = dict(in_channels=32, out_channels=17, decoder=CODEC)
    cfg.update(kwargs)
    head = ViTPoseSimpleHead(**cfg)
    head.init_weights()
    return head


def test_forward_is_relu_bilinear_x4_then_3x3_conv():
    head = make_head()
    feats = torch.randn(2, 32, 16, 12)
    expected = head.final_layer(
        F.interpolate(F.relu(feats), scale_factor=4, mode='bilinear',
                      align_corners=False))
    out = head((feats, ))
    assert out.shape == (2, 17, 64, 48)
    torch.testing.assert_close(out, expected)
    assert head.final_layer.kernel_size == (3, 3)
    assert set(head.state_dict()) == {'final_layer.weight', 'final_layer.bias'}


def test_loss_and_predict():
    head = make_head()
    feats = (torch.randn(2, 32, 16, 12), )
    losses = head.loss(feats, make_samples(2))
    assert losses['loss_kpt'] > 0
    preds = head.predict(feats, make_samples(2))
    assert len(preds) == 2 and preds[0].keypoints.shape == (1, 17, 2)


@pytest.mark.parametrize('kwargs, match', [
    (dict(kernel_size=4), 'odd'),
    (dict(upsample_factor=0), 'upsample_factor'),
    (dict(in_channels=-1), 'in_channels'),
])
def test_bad_settings_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_head(**kwargs)
