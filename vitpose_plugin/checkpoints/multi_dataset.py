"""Multi-dataset checkpoints: one dataset's single model, and back.

A multi-dataset plugin checkpoint (``ViTPoseMultiDatasetEstimator``) holds
the shared ``backbone.*`` -- with ViTPose++ experts, every block's FFN is a
shared ``mlp.fc2`` (``D - expert_dims`` outputs) and one
``mlp.experts.E`` (``expert_dims`` outputs) per dataset, concatenated as
``[fc2, expert]`` -- and one head per dataset, ``heads.<name>.*``. The
datasets and their order (the dataset index) are read from the head keys
(:func:`~.layouts.dataset_names`): a state dict keeps the order of the
model's ``heads``, which is its dataset order. A checkpoint that lacks some
heads (a merged one) needs its dataset names given explicitly; the command
line reads them from the ``dataset_names`` entry of the file's ``meta``,
which ``merge`` and ``convert`` write.

- :func:`split_multi_dataset`: dataset K's single-dataset checkpoint
  (expert K appended to ``fc2``'s outputs, ``heads.<K>.*`` as ``head.*``),
  for a plain ``TopdownPoseEstimator`` + ``ViTPoseBackbone``, as the
  official ``tools/model_split.py`` does;
- :func:`merge_single_dataset`: the reverse, a multi-dataset model that
  starts from a single-dataset one (every expert a copy of the last
  ``expert_dims`` outputs of ``fc2``, as the official ViTPose++ loader
  initialises experts from MAE weights; the head copied to chosen datasets);
- :func:`expand_experts` / :func:`fuse_expert`: the FFN part of both.

All functions are pure: they take a flat ``{name: tensor}`` state dict and
return a new one; bad input is a ``ValueError`` naming keys and datasets.
"""
import re
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

from torch import Tensor, cat

from .layouts import (BACKBONE_PREFIX, HEAD_PREFIX, HEADS_PREFIX, PLUGIN,
                      StateDict, apply_rules, check_dataset_names,
                      dataset_names, format_keys, is_expert_key)

# ``<prefix>blocks.N.mlp.`` of an fc2 or expert tensor, and its kind.
_FC2 = re.compile(r'(?P<mlp>(?:.*\.)?blocks\.\d+\.mlp\.)fc2\.'
                  r'(?P<kind>weight|bias)')
_EXPERT = re.compile(r'(?P<mlp>(?:.*\.)?blocks\.\d+\.mlp\.)experts\.'
                     r'(?P<index>\d+)\.(?P<kind>weight|bias)')


def count_experts(state_dict: Mapping[str, Tensor]) -> Tuple[int, int]:
    """The experts of every block: ``(num_experts, expert_dims)``.

    Returns ``(0, 0)`` without experts.

    Raises:
        ValueError: blocks with different experts, or missing tensors.
    """
    experts: Dict[str, Dict[int, Dict[str, Tensor]]] = {}
    for key, value in state_dict.items():
        match = _EXPERT.fullmatch(key)
        if match:
            experts.setdefault(match['mlp'], {}).setdefault(
                int(match['index']), {})[match['kind']] = value
    if not experts:
        return 0, 0
    number = 1 + max(max(block) for block in experts.values())
    dims = {
        tensor.shape[0]
        for block in experts.values() for expert in block.values()
        for tensor in expert.values()
    }
    fc2_blocks = {
        _FC2.fullmatch(key)['mlp']
        for key in state_dict if _FC2.fullmatch(key)
    }
    missing = [
        f'{mlp}experts.{index}.{kind}' for mlp in sorted(fc2_blocks)
        for index in range(number) for kind in ('weight', 'bias')
        if kind not in experts.get(mlp, {}).get(index, {})
    ]
    if missing:
        raise ValueError(f'every block needs experts 0..{number - 1} '
                         f'(weight and bias); missing {format_keys(missing)}')
    if len(dims) != 1:
        raise ValueError(f'the experts have different widths {sorted(dims)}')
    return number, dims.pop()


def fuse_expert(state_dict: Mapping[str, Tensor], index: int) -> StateDict:
    """Append expert ``index`` to the outputs of every block's ``fc2``.

    ``fc2.weight`` (D - d, 4D) and ``experts.index.weight`` (d, 4D) become
    one (D, 4D) ``fc2.weight`` (biases likewise); all experts are dropped.
    Keys may carry any prefix (``backbone.`` or none).

    Raises:
        ValueError: a block without that expert.
    """
    fused: StateDict = {}
    for key, value in state_dict.items():
        if is_expert_key(key):
            continue
        match = _FC2.fullmatch(key)
        if match:
            expert = f'{match["mlp"]}experts.{index}.{match["kind"]}'
            if expert not in state_dict:
                raise ValueError(f'{key} has no expert {index}: {expert} is '
                                 f'missing')
            value = cat([value, state_dict[expert]], 0)
        fused[key] = value
    return fused


def expand_experts(state_dict: Mapping[str, Tensor], num_experts: int,
                   expert_dims: int) -> StateDict:
    """Split every block's ``fc2`` into a shared part and ``num_experts``
    identical experts, as the official ViTPose++ loader does.

    ``fc2`` keeps its first ``D - expert_dims`` outputs; every expert gets
    a copy of the last ``expert_dims``, so the FFN computes what the plain
    one did for every dataset. Keys may carry any prefix.

    Args:
        state_dict (Mapping): Weights without experts.
        num_experts (int): Experts per block (datasets), >= 1.
        expert_dims (int): Outputs of each expert, in (0, D).

    Raises:
        ValueError: the weights already have experts, or ``expert_dims`` is
            not smaller than the FFN width.
    """
    if num_experts < 1:
        raise ValueError(f'num_experts must be >= 1, got {num_experts}')
    if any(map(is_expert_key, state_dict)):
        raise ValueError(f'the weights already have '
                         f'{count_experts(state_dict)[0]} experts per block')
    expanded: StateDict = {}
    for key, value in state_dict.items():
        match = _FC2.fullmatch(key)
        if not match:
            expanded[key] = value
            continue
        if not 0 < expert_dims < value.shape[0]:
            raise ValueError(
                f'expert_dims must lie in (0, {value.shape[0]}) for {key} '
                f'{tuple(value.shape)}, got {expert_dims}')
        shared = value.shape[0] - expert_dims
        expanded[key] = value[:shared].clone()
        for expert in range(num_experts):
            expanded[f'{match["mlp"]}experts.{expert}.{match["kind"]}'] = \
                value[shared:].clone()
    return expanded


def dataset_index(names: Sequence[str], dataset: Union[int, str]) -> int:
    """The index of ``dataset`` (an index or a name) among ``names``.

    Raises:
        ValueError: out of range or unknown, listing the datasets.
    """
    listing = ', '.join(f'{index} {name}' for index, name in enumerate(names))
    if isinstance(dataset, str):
        if dataset not in names:
            raise ValueError(f'no dataset named {dataset!r}; the checkpoint '
                             f'has {listing}')
        return list(names).index(dataset)
    if not 0 <= dataset < len(names):
        raise ValueError(f'dataset index {dataset} is out of range; the '
                         f'checkpoint has {listing}')
    return dataset


def _check_plugin(state_dict: Mapping[str, Tensor]) -> None:
    """Raise on keys that are not plugin tensors (see ``PLUGIN_KEYS``)."""
    apply_rules(state_dict, PLUGIN)


def split_multi_dataset(state_dict: Mapping[str, Tensor],
                        dataset: Union[int, str],
                        names: Optional[Sequence[str]] = None) -> StateDict:
    """Dataset ``dataset``'s single-dataset model of a multi-dataset one.

    The backbone with expert K fused into ``fc2`` (:func:`fuse_expert`)
    and ``heads.<name_K>.*`` as ``head.*``: it loads strictly into a
    ``TopdownPoseEstimator`` with a plain ``ViTPoseBackbone``
    (``num_experts=0``) and dataset K's head, and predicts what the
    multi-dataset model predicts for dataset K. Without a head for K (a
    merged checkpoint), the result is the backbone only.

    Args:
        state_dict (Mapping): A multi-dataset plugin state dict.
        dataset (int | str): Dataset index K or name.
        names (Sequence[str], optional): The datasets in index order; they
            must include every head. Defaults to None: the heads' order
            (:func:`~.layouts.dataset_names`).

    Raises:
        ValueError: not a multi-dataset state dict, an unknown dataset,
            heads outside ``names``, or a number of experts other than the
            number of datasets.
    """
    _check_plugin(state_dict)
    heads = dataset_names(state_dict)
    names = heads if names is None else check_dataset_names(names)
    if not names:
        single = any(key.startswith(HEAD_PREFIX) for key in state_dict)
        raise ValueError(
            'not a multi-dataset checkpoint: it has no heads.<name>.* '
            'tensors' + (' (its head.* makes it a single-dataset one '
                         'already)' if single else ''))
    unknown = [name for name in heads if name not in names]
    if unknown:
        raise ValueError(f'the checkpoint has heads {unknown} that are not '
                         f'among the datasets {list(names)}')
    index = dataset_index(names, dataset)
    experts, _ = count_experts(state_dict)
    if experts and experts != len(names):
        raise ValueError(f'{experts} experts per block but {len(names)} '
                         f'datasets ({", ".join(names)}): expert K belongs '
                         f'to dataset K, so there must be one per dataset')
    backbone = {
        key: value
        for key, value in state_dict.items()
        if key.startswith(BACKBONE_PREFIX)
    }
    single = fuse_expert(backbone, index) if experts else dict(backbone)
    head = f'{HEADS_PREFIX}{names[index]}.'
    single.update({
        HEAD_PREFIX + key[len(head):]: value
        for key, value in state_dict.items() if key.startswith(head)
    })
    return single


def merge_single_dataset(state_dict: Mapping[str, Tensor],
                         names: Sequence[str],
                         expert_dims: int = 0,
                         head_to: Sequence[str] = ()) -> StateDict:
    """A multi-dataset model initialised from a single-dataset one.

    The backbone is shared by all datasets; with ``expert_dims``, every
    block gets one expert per dataset, each a copy of the last
    ``expert_dims`` outputs of ``fc2`` (:func:`expand_experts`), so every
    dataset starts from the single model's features. The single model's
    ``head.*`` becomes ``heads.<name>.*`` for each dataset of ``head_to``
    (which must have its keypoint count); the other heads are left out and
    keep their initialisation when the result is loaded with ``load_from``.
    Splitting dataset K of the result gives back the input (with its head
    when K is in ``head_to``).

    Args:
        state_dict (Mapping): A single-dataset plugin state dict.
        names (Sequence[str]): The datasets of the multi-dataset model, in
            dataset index order (as its ``heads``).
        expert_dims (int): Outputs of each expert (192 for ViTPose++-S/B,
            256 for L, 320 for H). Defaults to 0: no experts (the
            multi-task ViTPose of the paper's section 4.6).
        head_to (Sequence[str]): Datasets whose head starts as the single
            model's. Defaults to () (no heads).

    Raises:
        ValueError: a multi-dataset input, bad names, ``head_to`` outside
            ``names`` or without a head to copy.
    """
    _check_plugin(state_dict)
    if dataset_names(state_dict) or any(map(is_expert_key, state_dict)):
        raise ValueError('already a multi-dataset checkpoint (heads.<name>.* '
                         'or experts); split one dataset out first')
    names = check_dataset_names(names)
    if not names:
        raise ValueError('give the dataset names of the multi-dataset model')
    unknown = [name for name in head_to if name not in names]
    if unknown:
        raise ValueError(f'--head-to {unknown} not among the datasets '
                         f'{names}')
    head = {
        key[len(HEAD_PREFIX):]: value
        for key, value in state_dict.items() if key.startswith(HEAD_PREFIX)
    }
    if head_to and not head:
        raise ValueError(f'the checkpoint has no head.* to copy to '
                         f'{list(head_to)}')
    merged = {
        key: value
        for key, value in state_dict.items()
        if key.startswith(BACKBONE_PREFIX)
    }
    if expert_dims:
        merged = expand_experts(merged, len(names), expert_dims)
    for name in names:
        if name in head_to:
            merged.update({
                f'{HEADS_PREFIX}{name}.{key}': value.clone()
                for key, value in head.items()
            })
    return merged


__all__ = [
    'count_experts', 'dataset_index', 'expand_experts', 'fuse_expert',
    'merge_single_dataset', 'split_multi_dataset'
]
