"""The feed-forward network and its ViTPose++ dataset experts."""
import pytest
import torch
from torch import nn

from vitpose_plugin.models.layers import Mlp

DIMS, HIDDEN, EXPERT_DIMS, EXPERTS = 16, 32, 4, 3


def expert_mlp(**kwargs):
    torch.manual_seed(0)
    return Mlp(DIMS, HIDDEN, num_experts=EXPERTS, expert_dims=EXPERT_DIMS,
               **kwargs)


def reference(mlp, x, dataset_indices):
    """Official ViTPose++ semantics, one sample at a time:
    ``cat([fc2(h_i), experts[idx_i](h_i)], -1)``, ``h = GELU(fc1(x))``."""
    outputs = []
    for sample, index in zip(x, dataset_indices):
        hidden = nn.functional.gelu(
            nn.functional.linear(sample, mlp.fc1.weight, mlp.fc1.bias))
        shared = nn.functional.linear(hidden, mlp.fc2.weight, mlp.fc2.bias)
        expert = mlp.experts[index]
        own = nn.functional.linear(hidden, expert.weight, expert.bias)
        outputs.append(torch.cat([shared, own], -1))
    return torch.stack(outputs)


def tokens(batch, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch, 5, DIMS, generator=generator)


def test_plain_mlp_is_fc1_gelu_fc2():
    torch.manual_seed(0)
    mlp = Mlp(DIMS, HIDDEN)
    x = tokens(2)
    expected = mlp.fc2(nn.functional.gelu(mlp.fc1(x)))
    torch.testing.assert_close(mlp(x), expected)
    assert not hasattr(mlp, 'experts')
    assert mlp.fc2.out_features == DIMS


def test_expert_layout():
    mlp = expert_mlp()
    assert mlp.fc1.weight.shape == (HIDDEN, DIMS)
    assert mlp.fc2.weight.shape == (DIMS - EXPERT_DIMS,
                                    HIDDEN)
    assert isinstance(mlp.experts, nn.ModuleList)
    assert [tuple(e.weight.shape) for e in mlp.experts] == \
        [(EXPERT_DIMS, HIDDEN)] * EXPERTS
    assert sorted(mlp.state_dict()) == sorted(
        ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'] +
        [f'experts.{e}.{p}' for e in range(EXPERTS)
         for p in ('weight', 'bias')])


@pytest.mark.parametrize('group_sizes', [(2, 1, 3), (0, 4, 2), (0, 0, 5),
                                         (3, 0, 0), (1, 0, 1)])
def test_experts_match_per_sample_reference(group_sizes):
    mlp = expert_mlp()
    indices = [k for k, size in enumerate(group_sizes) for _ in range(size)]
    x = tokens(len(indices))
    torch.testing.assert_close(mlp(x, group_sizes), reference(mlp, x, indices))


def test_empty_group_expert_gets_a_zero_gradient():
    # A zero (not None) gradient: DDP needs every parameter in the graph.
    mlp = expert_mlp()
    mlp(tokens(3), (3, 0, 0)).square().sum().backward()
    assert torch.count_nonzero(mlp.experts[0].weight.grad) > 0
    for expert in mlp.experts[1:]:
        assert expert.weight.grad is not None
        assert torch.count_nonzero(expert.weight.grad) == 0


def test_gradients_match_reference():
    mlp = expert_mlp()
    x = tokens(4)
    mlp(x, (1, 2, 1)).square().sum().backward()
    ours = {n: p.grad.clone() for n, p in mlp.named_parameters()}
    mlp.zero_grad()
    reference(mlp, x, [0, 1, 1, 2]).square().sum().backward()
    for name, param in mlp.named_parameters():
        torch.testing.assert_close(ours[name], param.grad, msg=name)


def test_dropout_only_in_training():
    mlp = expert_mlp(drop=0.5)
    x = tokens(2)
    mlp.eval()
    torch.testing.assert_close(mlp(x, (1, 1, 0)), reference(mlp, x, [0, 1]))
    mlp.train()
    assert (mlp(x, (1, 1, 0)) == 0).float().mean() > 0.3


@pytest.mark.parametrize('group_sizes, match', [
    (None, 'needs group_sizes'),
    ((1, 1), '3 ints >= 0'),
    ((1, -1, 2), '3 ints >= 0'),
    ((1.0, 1, 0), '3 ints >= 0'),
    ((1, 1, 1), 'sum to 3, not to the batch size 2'),
])
def test_bad_group_sizes_are_clear_errors(group_sizes, match):
    with pytest.raises(ValueError, match=match):
        expert_mlp()(tokens(2), group_sizes)


def test_group_sizes_without_experts_is_an_error():
    with pytest.raises(ValueError, match='without experts'):
        Mlp(DIMS, HIDDEN)(tokens(2), (2, ))


@pytest.mark.parametrize('kwargs, match', [
    (dict(num_experts=-1), 'num_experts must be an int >= 0'),
    (dict(num_experts=2), r'expert_dims must be an int in \(0, 16\)'),
    (dict(num_experts=2, expert_dims=0), r'in \(0, 16\)'),
    (dict(num_experts=2, expert_dims=DIMS), r'in \(0, 16\)'),
    (dict(expert_dims=4), 'needs num_experts > 0'),
])
def test_bad_expert_settings_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Mlp(DIMS, HIDDEN, **kwargs)
