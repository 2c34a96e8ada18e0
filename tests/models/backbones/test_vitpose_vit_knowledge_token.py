"""ViTPoseBackbone(knowledge_tokens=n): extra tokens in, same feature map
out."""
import pytest
import torch

from vitpose_plugin.models import ViTPoseBackbone

ARCH = dict(embed_dims=16, depth=2, num_heads=2)


def backbone(**kwargs) -> ViTPoseBackbone:
    torch.manual_seed(0)
    return ViTPoseBackbone(arch=ARCH, img_size=(64, 48), **kwargs).eval()


def test_token_changes_features_but_not_their_shape():
    plain, tokened = backbone(), backbone(knowledge_tokens=2)
    assert tokened.knowledge_token.shape == (1, 2, 16)
    images = torch.randn(3, 3, 64, 48)
    with torch.no_grad():
        out = tokened(images)[0]
        assert out.shape == plain(images)[0].shape == (3, 16, 4, 3)
        other = tokened(images, knowledge_token=torch.randn(1, 2, 16))[0]
    assert not torch.allclose(out, other)


def test_same_seed_gives_same_weights_with_or_without_a_token():
    plain, tokened = backbone(), backbone(knowledge_tokens=1)
    for name, value in plain.state_dict().items():
        assert torch.equal(value, tokened.state_dict()[name]), name


def test_passed_token_is_the_parameter_when_equal():
    model = backbone(knowledge_tokens=1)
    images = torch.randn(2, 3, 64, 48)
    with torch.no_grad():
        own = model(images)[0]
        passed = model(images, knowledge_token=model.knowledge_token * 1)[0]
    torch.testing.assert_close(own, passed)
    with pytest.raises(ValueError, match=r'\(1 or B, 1, 16\)'):
        model(images, knowledge_token=torch.zeros(1, 1, 8))
    with pytest.raises(ValueError, match='knowledge_tokens=0'):
        backbone()(images, knowledge_token=torch.zeros(1, 1, 16))


def test_token_trains_unless_frozen_and_has_layer_zero_and_no_decay():
    assert backbone(knowledge_tokens=1).knowledge_token.requires_grad
    frozen = backbone(knowledge_tokens=1, freeze_knowledge_token=True)
    assert not frozen.knowledge_token.requires_grad
    assert frozen.get_layer_depth('knowledge_token') == (0, 4)
    assert 'knowledge_token' in frozen.no_weight_decay()


def test_windowed_attention_is_refused():
    with pytest.raises(ValueError, match='full attention'):
        backbone(knowledge_tokens=1, attn_types=('window', 'full'),
                 attn_cfg=dict(window_size=2))
    with pytest.raises(ValueError, match='>= 0'):
        backbone(knowledge_tokens=-1)
