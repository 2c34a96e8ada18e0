"""The transformer feed-forward network, optionally with dataset experts."""
from typing import Optional, Sequence

import torch
from torch import Tensor, nn

GroupSizes = Sequence[int]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_group_sizes(group_sizes: Optional[GroupSizes], num_groups: int,
                      batch: int) -> None:
    """Check that ``group_sizes`` splits a batch of ``batch`` samples into
    ``num_groups`` contiguous groups (one per dataset, zeros allowed).

    Raises:
        ValueError: None, a wrong length, a negative or non-int count, or
            counts that do not sum to ``batch``.
    """
    if group_sizes is None:
        raise ValueError(
            f'a model with {num_groups} dataset experts needs group_sizes: '
            f'the number of samples of each dataset (a tuple of '
            f'{num_groups} ints summing to the batch size {batch}), the '
            f'batch sorted by dataset index; ViTPoseMultiDatasetEstimator '
            f'passes them')
    sizes = tuple(group_sizes)
    if len(sizes) != num_groups or not all(
            _is_int(size) and size >= 0 for size in sizes):
        raise ValueError(f'group_sizes must be {num_groups} ints >= 0 (one '
                         f'per dataset expert), got {sizes}')
    if sum(sizes) != batch:
        raise ValueError(f'group_sizes {sizes} sum to {sum(sizes)}, not to '
                         f'the batch size {batch}')


def _check_experts(num_experts: int, expert_dims: Optional[int],
                   in_dims: int) -> None:
    if not _is_int(num_experts) or num_experts < 0:
        raise ValueError(f'num_experts must be an int >= 0, got '
                         f'{num_experts!r}')
    if not num_experts:
        if expert_dims is not None:
            raise ValueError(f'expert_dims={expert_dims!r} needs '
                             f'num_experts > 0 (got num_experts=0)')
        return
    if not _is_int(expert_dims) or not 0 < expert_dims < in_dims:
        raise ValueError(f'with num_experts={num_experts}, expert_dims must '
                         f'be an int in (0, {in_dims}) (the token width), '
                         f'got {expert_dims!r}')


class Mlp(nn.Module):
    """``fc1`` -> GELU -> ``fc2``, optionally with one expert per dataset.

    Without experts the output is ``fc2(h)`` with ``h = GELU(fc1(x))``. With
    ``num_experts = E > 0`` (ViTPose++), ``fc2`` is shared and narrower
    (``in_dims - expert_dims`` outputs) and ``experts`` holds E linear layers
    with ``expert_dims`` outputs; the output is ``cat([fc2(h), expert(h)],
    -1)`` where each sample uses its dataset's expert. The batch must be
    sorted by dataset: ``group_sizes`` gives the size of each dataset's
    contiguous slice, and each expert runs once on its slice (an empty slice
    is allowed).

    Args:
        in_dims (int): Input and output width.
        hidden_dims (int): Hidden width.
        drop (float): Dropout after the activation and after the output.
            Defaults to 0.
        num_experts (int): Dataset experts E. Defaults to 0 (none).
        expert_dims (int, optional): Output width of each expert, in
            ``(0, in_dims)``; required with experts. Defaults to None.
    """

    def __init__(self,
                 in_dims: int,
                 hidden_dims: int,
                 drop: float = 0.,
                 num_experts: int = 0,
                 expert_dims: Optional[int] = None) -> None:
        super().__init__()
        _check_experts(num_experts, expert_dims, in_dims)
        self.num_experts = num_experts
        shared_dims = in_dims - expert_dims if num_experts else in_dims
        self.fc1 = nn.Linear(in_dims, hidden_dims)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dims, shared_dims)
        if num_experts:
            self.experts = nn.ModuleList(
                nn.Linear(hidden_dims, expert_dims)
                for _ in range(num_experts))
        self.drop = nn.Dropout(drop)

    def forward(self,
                x: Tensor,
                group_sizes: Optional[GroupSizes] = None) -> Tensor:
        """Transform ``x`` (B, ..., in_dims).

        Args:
            x (Tensor): Input, batch first.
            group_sizes (Sequence[int], optional): With experts, the number
                of samples of each dataset, in dataset order (the batch is
                sorted by dataset). Must be None without experts.
                Defaults to None.
        """
        hidden = self.drop(self.act(self.fc1(x)))
        if not self.num_experts:
            if group_sizes is not None:
                raise ValueError('group_sizes given to an Mlp without '
                                 'experts (num_experts=0)')
            return self.drop(self.fc2(hidden))
        check_group_sizes(group_sizes, self.num_experts, x.shape[0])
        slices = hidden.split(list(group_sizes))
        expert_out = torch.cat([
            expert(part) for expert, part in zip(self.experts, slices)
        ])
        return self.drop(torch.cat([self.fc2(hidden), expert_out], -1))
