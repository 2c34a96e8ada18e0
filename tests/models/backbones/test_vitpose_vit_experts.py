"""ViTPoseBackbone with ViTPose++ dataset experts in every block's MLP."""
import pytest
import torch

from vitpose_plugin.engine import ViTPoseLayerDecayConstructor
from vitpose_plugin.models import ViTPoseBackbone

TINY = dict(embed_dims=32, depth=2, num_heads=2)
IMG_SIZE = (64, 48)  # 4 x 3 tokens
EXPERTS, EXPERT_DIMS = 3, 8


def backbone(num_experts=EXPERTS, expert_dims=EXPERT_DIMS, **kwargs):
    torch.manual_seed(0)
    return ViTPoseBackbone(arch=TINY, img_size=IMG_SIZE,
                           num_experts=num_experts, expert_dims=expert_dims,
                           **kwargs).eval()


def images(batch, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch, 3, *IMG_SIZE, generator=generator)


def single_dataset(model, index, **kwargs):
    """The plain backbone of dataset ``index``: each block's expert appended
    to the rows of its ``fc2`` (the ViTPose++ model split)."""
    state = {}
    for name, tensor in model.state_dict().items():
        if '.mlp.experts.' in name:
            continue
        if '.mlp.fc2.' in name:
            expert = name.replace('.fc2.', f'.experts.{index}.')
            tensor = torch.cat([tensor, model.state_dict()[expert]])
        state[name] = tensor
    plain = ViTPoseBackbone(arch=TINY, img_size=IMG_SIZE, **kwargs).eval()
    plain.load_state_dict(state, strict=True)
    return plain


def test_state_dict_layout():
    shapes = {n: tuple(t.shape) for n, t in backbone().state_dict().items()}
    dims, hidden = TINY['embed_dims'], 4 * TINY['embed_dims']
    for block in range(TINY['depth']):
        prefix = f'blocks.{block}.mlp.'
        assert shapes[prefix + 'fc1.weight'] == (hidden, dims)
        assert shapes[prefix + 'fc2.weight'] == (dims - EXPERT_DIMS, hidden)
        assert shapes[prefix + 'fc2.bias'] == (dims - EXPERT_DIMS, )
        for expert in range(EXPERTS):
            assert shapes[f'{prefix}experts.{expert}.weight'] == \
                (EXPERT_DIMS, hidden)
            assert shapes[f'{prefix}experts.{expert}.bias'] == \
                (EXPERT_DIMS, )
    assert not any('experts.3' in name for name in shapes)


@pytest.mark.parametrize('group_sizes', [(2, 1, 1), (0, 3, 1), (0, 0, 2)])
def test_each_group_equals_its_single_dataset_backbone(group_sizes):
    model = backbone()
    x = images(sum(group_sizes))
    out = model(x, group_sizes=group_sizes)[0]
    for index, (part, feats) in enumerate(
            zip(x.split(group_sizes), out.split(group_sizes))):
        if len(part):
            expected = single_dataset(model, index)(part)[0]
            torch.testing.assert_close(feats, expected)


@pytest.mark.parametrize('kwargs', [
    dict(knowledge_tokens=1),
    dict(attn_types=('window', 'shift_window'),
         attn_cfg=dict(window_size=(2, 2))),
    dict(out_indices=(0, 1), final_norm=False),
])
def test_experts_with_other_options(kwargs):
    model = backbone(**kwargs)
    x = images(3)
    outs = model(x, group_sizes=(1, 0, 2))
    first = single_dataset(model, 0, **kwargs)(x[:1])
    last = single_dataset(model, 2, **kwargs)(x[1:])
    assert len(outs) == len(first)
    for out, *expected in zip(outs, first, last):
        torch.testing.assert_close(out, torch.cat(expected))


def test_gradient_checkpointing_passes_group_sizes():
    x = images(3)
    results = []
    for with_cp in (False, True):
        model = backbone(with_cp=with_cp).train()
        out = model(x.clone().requires_grad_(), group_sizes=(1, 0, 2))[0]
        out.square().sum().backward()
        results.append((out.detach(), {
            n: p.grad.clone() for n, p in model.named_parameters()}))
    torch.testing.assert_close(results[0][0], results[1][0])
    for name, grad in results[0][1].items():
        torch.testing.assert_close(grad, results[1][1][name], msg=name)


@pytest.mark.parametrize('group_sizes, match', [
    (None, 'needs group_sizes'),
    ((1, 1), '3 ints >= 0'),
    ((1, 1, 1), 'sum to 3, not to the batch size 2'),
])
def test_bad_group_sizes_are_clear_errors(group_sizes, match):
    with pytest.raises(ValueError, match=match):
        backbone()(images(2), group_sizes=group_sizes)


def test_group_sizes_for_a_plain_backbone_is_an_error():
    with pytest.raises(ValueError, match='num_experts=0'):
        backbone(num_experts=0, expert_dims=None)(images(2), group_sizes=(2, ))


@pytest.mark.parametrize('num_experts, expert_dims, match', [
    (-1, None, 'num_experts must be an int >= 0'),
    (2, None, r'expert_dims must be an int in \(0, 32\)'),
    (2, 0, r'in \(0, 32\)'),
    (2, 32, r'in \(0, 32\)'),
    (0, 8, 'needs num_experts > 0'),
])
def test_bad_expert_settings_are_clear_errors(num_experts, expert_dims,
                                              match):
    with pytest.raises(ValueError, match=match):
        backbone(num_experts=num_experts, expert_dims=expert_dims)


def test_freeze_ffn_freezes_experts():
    model = backbone(freeze_ffn=True).train()
    experts = [p for n, p in model.named_parameters() if '.experts.' in n]
    assert experts and not any(p.requires_grad for p in experts)
    assert not model.blocks[0].mlp.experts[0].training


def test_experts_get_the_layer_depth_of_their_block():
    model = backbone()
    for block in range(TINY['depth']):
        assert model.get_layer_depth(
            f'backbone.blocks.{block}.mlp.experts.2.weight',
            prefix='backbone.') == (block + 1, TINY['depth'] + 2)


def test_experts_get_the_ffn_learning_rate_and_weight_decay():
    model = torch.nn.Module()
    model.backbone = backbone()
    optim_wrapper = ViTPoseLayerDecayConstructor(
        dict(optimizer=dict(type='AdamW', lr=1.0, weight_decay=0.5)),
        dict(layer_decay_rate=2.0))(model)
    names = {id(p): n for n, p in model.named_parameters()}
    found = {
        names[id(p)]: (group['lr'], group['weight_decay'])
        for group in optim_wrapper.optimizer.param_groups
        for p in group['params']
    }
    for block in range(TINY['depth']):
        prefix = f'backbone.blocks.{block}.mlp.'
        weight, bias = found[prefix + 'fc2.weight'], found[prefix + 'fc2.bias']
        assert found[prefix + 'fc1.weight'] == weight
        assert weight == (2.0**(TINY['depth'] - block), 0.5)
        assert bias == (weight[0], 0.0)
        for expert in range(EXPERTS):
            assert found[f'{prefix}experts.{expert}.weight'] == weight
            assert found[f'{prefix}experts.{expert}.bias'] == bias
