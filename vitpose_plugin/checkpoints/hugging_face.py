"""Hugging Face transformers' VitPose models in and out of the plugin.

transformers keeps a ``VitPoseForPoseEstimation`` as a directory with
``config.json`` and ``model.safetensors`` (or shards listed in
``model.safetensors.index.json``). Its tensor names are mapped by
:mod:`.hugging_face_keys`; this module reads such directories, turns
``config.json`` into plugin model configs and back, and refuses what the
other side cannot represent, naming the feature:

- **import** (:func:`import_hugging_face`): a ViTPose (simple or classic
  decoder) becomes a ``TopdownPoseEstimator`` checkpoint; a ViTPose++ one
  (experts chosen by ``dataset_index``) a ``ViTPoseMultiDatasetEstimator``
  with every expert, and, since transformers' files keep only one head
  (COCO's), that head serving every dataset -- or, with ``index=K``,
  dataset K's plain single-dataset model (expert K appended to ``fc2``).
- **export** (:func:`export_hugging_face`): a built plugin model (its
  config and weights) becomes ``config.json`` + tensors under
  transformers' names; a multi-dataset model keeps every expert and one
  head, as transformers keeps ViTPose++.

transformers' LayerNorm epsilon is ``layer_norm_eps`` in ``config.json``
(its default 1e-12); the plugin's is 1e-6, the official ViTPose value.
Export writes 1e-6; import of another epsilon notes it (its effect on
heatmaps is measured in ``docs/checkpoints.md``).
"""
import json
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from torch import Tensor, nn

from .hugging_face_keys import hugging_face_names
from .layouts import (HEAD_PREFIX, HEADS_PREFIX, HUGGING_FACE,
                      VITPOSE_PLUS_DATASETS, StateDict, check_dataset_names,
                      convert_checkpoint, head_kind, strip_prefix)
from .multi_dataset import count_experts, dataset_index, fuse_expert
from .safetensors_format import (SafetensorsReadError, is_safetensors_path,
                                 read_safetensors)

CONFIG_FILE = 'config.json'
WEIGHTS_FILE = 'model.safetensors'
INDEX_FILE = 'model.safetensors.index.json'
#: ``meta`` entry of a read transformers checkpoint: its ``config.json``.
CONFIG_META = 'hugging_face_config'
#: LayerNorm epsilon of the plugin's (and the official) ViTPose.
PLUGIN_LAYER_NORM_EPS = 1e-6
_CLASSIC_CHANNELS, _CLASSIC_KERNEL = 256, 4


def is_hugging_face_dir(path: Any) -> bool:
    """Whether ``path`` is a directory with a ``config.json``."""
    return isinstance(path, str) and osp.isdir(path) and osp.isfile(
        osp.join(path, CONFIG_FILE))


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding='utf-8') as file:
            return json.load(file)
    except json.JSONDecodeError as error:
        raise SafetensorsReadError(f'{path} is not JSON ({error})') from None


def _weight_files(folder: str) -> List[str]:
    """The safetensors files of a transformers model directory."""
    single = osp.join(folder, WEIGHTS_FILE)
    if osp.isfile(single):
        return [single]
    index = osp.join(folder, INDEX_FILE)
    if osp.isfile(index):
        weight_map = _read_json(index).get('weight_map')
        if not isinstance(weight_map, dict) or not weight_map:
            raise SafetensorsReadError(f'{index} has no weight_map')
        return [
            osp.join(folder, name)
            for name in sorted(set(weight_map.values()))
        ]
    raise SafetensorsReadError(
        f'{folder} has {CONFIG_FILE} but neither {WEIGHTS_FILE} nor '
        f'{INDEX_FILE} (PyTorch .bin files are not read: they are pickles); '
        f'it holds {sorted(os.listdir(folder))[:8]}')


def read_safetensors_checkpoint(path: str) -> Dict[str, Any]:
    """Read a safetensors checkpoint as ``{'state_dict', 'meta'}``.

    ``path`` is a plugin ``.safetensors`` file (its ``meta`` is the JSON
    it was written with), a transformers model directory (``meta`` holds
    its ``config.json`` as :data:`CONFIG_META`; shards are joined) or a
    transformers ``model.safetensors`` (with the ``config.json`` beside it,
    if any).

    Raises:
        SafetensorsReadError: unreadable files.
    """
    folder = path if osp.isdir(path) else osp.dirname(path)
    files = _weight_files(path) if osp.isdir(path) else [path]
    state_dict: StateDict = {}
    meta: Dict[str, Any] = {}
    for name in files:
        part = read_safetensors(name)
        state_dict.update(part['state_dict'])
        meta.update(part['meta'])
    config = osp.join(folder, CONFIG_FILE)
    if not meta and osp.isfile(config):
        meta[CONFIG_META] = _read_json(config)
    return dict(state_dict=state_dict, meta=meta)


def is_safetensors_checkpoint(path: Any) -> bool:
    """Whether :func:`read_safetensors_checkpoint` reads ``path``."""
    return is_hugging_face_dir(path) or is_safetensors_path(path)


@dataclass
class HuggingFaceModel:
    """What a transformers VitPose ``config.json`` describes.

    Attributes:
        embed_dims, depth, num_heads (int): Width, blocks, attention heads.
        mlp_ratio (float): FFN hidden width / ``embed_dims``.
        img_size (tuple[int, int]): Input (H, W).
        patch_size (int): Patch kernel and stride (padding 2).
        in_channels (int): Image channels.
        keypoints (int): Heatmaps of the head.
        decoder (str): ``'simple'`` or ``'classic'``.
        scale_factor (int): Upsampling of the simple decoder.
        num_experts (int): ViTPose++ experts (0: a plain FFN).
        expert_dims (int): Outputs of each expert (0 without).
        layer_norm_eps (float): LayerNorm epsilon of the model.
    """
    embed_dims: int
    depth: int
    num_heads: int
    mlp_ratio: float
    img_size: Tuple[int, int]
    patch_size: int
    in_channels: int
    keypoints: int
    decoder: str
    scale_factor: int
    num_experts: int
    expert_dims: int
    layer_norm_eps: float


def _pair(value: Any) -> Tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def describe_config(config: Mapping[str, Any],
                    source: str = CONFIG_FILE) -> HuggingFaceModel:
    """Read a transformers ``VitPoseConfig`` (``config.json`` as a dict).

    Args:
        config (Mapping): The parsed ``config.json``.
        source (str): Its file, for messages. Defaults to ``'config.json'``.

    Raises:
        ValueError: not a VitPose config, or a feature the plugin does not
            have (another activation, non-square patches, features taken
            from an earlier block), named.
    """
    if config.get('model_type') != 'vitpose':
        raise ValueError(f'{source}: model_type is '
                         f'{config.get("model_type")!r}, not \'vitpose\' '
                         f'(transformers\' VitPoseForPoseEstimation)')
    backbone = config.get('backbone_config') or {}
    if backbone.get('model_type', 'vitpose_backbone') != 'vitpose_backbone':
        raise ValueError(f'{source}: backbone_config.model_type '
                         f'{backbone.get("model_type")!r} is not '
                         f'vitpose_backbone')
    depth = backbone.get('num_hidden_layers', 12)
    problems = []
    if backbone.get('hidden_act', 'gelu') != 'gelu':
        problems.append(f'activation {backbone["hidden_act"]!r} (the plugin '
                        f'uses exact GELU)')
    patch = _pair(backbone.get('patch_size', [16, 16]))
    if patch[0] != patch[1]:
        problems.append(f'non-square patches {list(patch)}')
    out_indices = backbone.get('out_indices') or [depth]
    if out_indices[-1] not in (depth, -1):
        problems.append(f'features of block {out_indices[-1]} of {depth} '
                        f'(out_indices {out_indices}); the plugin\'s head '
                        f'reads the last block')
    if problems:
        raise ValueError(f'{source}: the plugin cannot represent '
                         f'{"; ".join(problems)}')
    labels = config.get('id2label')
    keypoints = len(labels) if isinstance(labels, dict) and labels else \
        config.get('num_labels', 2)
    experts = backbone.get('num_experts', 1)
    return HuggingFaceModel(
        embed_dims=backbone.get('hidden_size', 768),
        depth=depth,
        num_heads=backbone.get('num_attention_heads', 12),
        mlp_ratio=backbone.get('mlp_ratio', 4),
        img_size=_pair(backbone.get('image_size', [256, 192])),
        patch_size=patch[0],
        in_channels=backbone.get('num_channels', 3),
        keypoints=keypoints,
        decoder='simple'
        if config.get('use_simple_decoder', True) else 'classic',
        scale_factor=config.get('scale_factor', 4),
        num_experts=experts if experts > 1 else 0,
        expert_dims=backbone.get('part_features', 256) if experts > 1 else 0,
        layer_norm_eps=backbone.get('layer_norm_eps', 1e-12))


def default_dataset_names(num_experts: int) -> List[str]:
    """ViTPose++'s dataset names for ``num_experts`` experts (coco, aic,
    mpii, ap10k, apt36k, wholebody), ``dataset<K>`` beyond six."""
    known = [name for name, _ in VITPOSE_PLUS_DATASETS]
    return known[:num_experts] if num_experts <= len(known) else \
        [f'dataset{index}' for index in range(num_experts)]


def plugin_model_cfg(model: HuggingFaceModel,
                     names: Optional[Sequence[str]] = None,
                     index: Optional[int] = None) -> Dict[str, Any]:
    """The plugin model config of a transformers VitPose.

    Args:
        model (HuggingFaceModel): From :func:`describe_config`.
        names (Sequence[str], optional): With experts and no ``index``,
            the datasets (one per expert). Defaults to None
            (:func:`default_dataset_names`).
        index (int, optional): With experts, dataset K's single-dataset
            model. Defaults to None (the multi-dataset model).

    Returns:
        dict: A ``TopdownPoseEstimator`` or ``ViTPoseMultiDatasetEstimator``
        config (backbone and heads; add a data preprocessor, codecs and
        test_cfg as your config needs).
    """
    backbone = dict(
        type='ViTPoseBackbone',
        arch=dict(
            embed_dims=model.embed_dims,
            depth=model.depth,
            num_heads=model.num_heads,
            mlp_ratio=model.mlp_ratio),
        img_size=model.img_size,
        patch_size=model.patch_size,
        patch_padding=2,
        in_channels=model.in_channels)
    head: Dict[str, Any] = dict(
        type='ViTPoseSimpleHead',
        in_channels=model.embed_dims,
        out_channels=model.keypoints,
        upsample_factor=model.scale_factor) if model.decoder == 'simple' \
        else dict(
            type='ViTPoseClassicHead',
            in_channels=model.embed_dims,
            out_channels=model.keypoints)
    if not model.num_experts or index is not None:
        return dict(type='TopdownPoseEstimator', backbone=backbone, head=head)
    names = check_dataset_names(
        names or default_dataset_names(model.num_experts), model.num_experts)
    backbone.update(
        num_experts=model.num_experts, expert_dims=model.expert_dims)
    return dict(
        type='ViTPoseMultiDatasetEstimator',
        backbone=backbone,
        heads={name: dict(head)
               for name in names})


@dataclass
class ConvertedModel:
    """A model converted between transformers and the plugin.

    Attributes:
        state_dict (dict): Its tensors, named for the target.
        config (dict): The target's model config: a plugin model config
            (import) or transformers' ``config.json`` (export).
        notes (list[str]): What was done that the user should know.
    """
    state_dict: StateDict
    config: Dict[str, Any]
    notes: List[str] = field(default_factory=list)


def import_hugging_face(state_dict: Mapping[str, Tensor],
                        config: Mapping[str, Any],
                        names: Optional[Sequence[str]] = None,
                        index: Optional[int] = None,
                        source: str = CONFIG_FILE) -> ConvertedModel:
    """A transformers VitPose as a plugin checkpoint and model config.

    Args:
        state_dict (Mapping): transformers' tensors.
        config (Mapping): Its ``config.json``.
        names (Sequence[str], optional): ViTPose++ only: dataset names,
            one per expert. Defaults to None (:func:`default_dataset_names`).
        index (int, optional): ViTPose++ only: write dataset K's
            single-dataset model (expert K appended to every ``fc2``).
            Defaults to None (every expert, a multi-dataset model).
        source (str): The file, for messages. Defaults to ``'config.json'``.

    Raises:
        ValueError: tensors that do not match ``config.json``, options
            that do not apply, or features the plugin lacks.
    """
    model = describe_config(config, source)
    converted = convert_checkpoint(state_dict, layout=HUGGING_FACE).state_dict
    experts, expert_dims = count_experts(converted)
    if (experts, expert_dims) != (model.num_experts, model.expert_dims):
        raise ValueError(
            f'{source} says num_experts={model.num_experts or 1}, '
            f'part_features={model.expert_dims}, but the weights have '
            f'{experts} experts of {expert_dims} outputs')
    kind = head_kind(converted)
    if kind != model.decoder:
        raise ValueError(f'{source} says use_simple_decoder='
                         f'{model.decoder == "simple"}, but the weights hold '
                         f'a {kind} decoder')
    notes = [
        f'{model.decoder} decoder with {model.keypoints} keypoints, '
        f'{model.depth} blocks of width {model.embed_dims}, input '
        f'{model.img_size[0]}x{model.img_size[1]}'
    ]
    if model.layer_norm_eps != PLUGIN_LAYER_NORM_EPS:
        notes.append(f'{source} has layer_norm_eps={model.layer_norm_eps:g}; '
                     f'the plugin\'s LayerNorms use {PLUGIN_LAYER_NORM_EPS:g}'
                     f' (the official ViTPose value): heatmaps differ by '
                     f'rounding only (see docs/checkpoints.md)')
    if not experts:
        if index is not None or names is not None:
            raise ValueError(f'--index and --names apply to ViTPose++ '
                             f'files (experts); {source} has none')
        return ConvertedModel(converted, plugin_model_cfg(model), notes)
    if index is not None:
        if names is not None:
            raise ValueError('give --index or --names, not both')
        dataset_index(default_dataset_names(experts), index)
        notes.append(f'dataset {index}\'s model: expert {index} appended to '
                     f'every block\'s fc2, the other {experts - 1} experts '
                     f'dropped; its head is transformers\' one head, as '
                     f'transformers uses it with dataset_index={index}')
        return ConvertedModel(
            fuse_expert(converted, index),
            plugin_model_cfg(model, index=index), notes)
    cfg = plugin_model_cfg(model, names)
    head = strip_prefix(converted, HEAD_PREFIX)
    multi = {
        key: value
        for key, value in converted.items() if not key.startswith(HEAD_PREFIX)
    }
    for name in cfg['heads']:
        multi.update({
            f'{HEADS_PREFIX}{name}.{key}': value.clone()
            for key, value in head.items()
        })
    notes.append(
        f'every expert kept ({experts} of {expert_dims} outputs, datasets '
        f'{", ".join(cfg["heads"])}); transformers\' file holds one head '
        f'({model.keypoints} keypoints, COCO\'s in the ViTPose++ releases), '
        f'so every dataset\'s head is a copy of it, as transformers\' '
        f'dataset_index only picks the expert')
    return ConvertedModel(multi, cfg, notes)


def _refusals(backbone: nn.Module) -> List[str]:
    """Features of a ``ViTPoseBackbone`` that transformers' VitPose lacks."""
    problems = []
    windowed = sorted({kind for kind in backbone.attn_types if kind != 'full'})
    if windowed:
        problems.append(f'window/pooling attention ({", ".join(windowed)} '
                        f'blocks); transformers has full attention only')
    if any(
            hasattr(block.attn, 'relative_position_bias_table')
            for block in backbone.blocks):
        problems.append('relative position bias')
    if backbone.knowledge_tokens:
        problems.append(f'knowledge tokens ({backbone.knowledge_tokens})')
    embed = backbone.patch_embed
    if embed.padding != (2, 2):
        problems.append(f'patch padding {embed.padding} (transformers pads '
                        f'by 2)')
    if embed.stride != embed.patch_size or \
            embed.patch_size[0] != embed.patch_size[1]:
        problems.append(f'patch stride {embed.stride} with kernel '
                        f'{embed.patch_size} (transformers has square, '
                        f'non-overlapping patches)')
    grid = tuple(size // embed.patch_size[0] for size in backbone.img_size)
    if grid != tuple(backbone.grid_size):
        problems.append(
            f'input size {backbone.img_size[0]}x{backbone.img_size[1]}: '
            f'transformers\' config gives a {grid[0]}x{grid[1]} grid (size // '
            f'patch) where the padded convolution gives '
            f'{backbone.grid_size[0]}x{backbone.grid_size[1]}')
    if not backbone.final_norm:
        problems.append('no final LayerNorm (final_norm=False)')
    if tuple(backbone.out_indices) != (backbone.depth - 1, ):
        problems.append(f'out_indices {backbone.out_indices} (transformers\' '
                        f'head reads the last block only)')
    return problems


def _head_config(head: nn.Module) -> Tuple[Dict[str, Any], List[str]]:
    """transformers' decoder settings for a plugin head, and refusals."""
    kind = type(head).__name__
    if kind == 'ViTPoseSimpleHead':
        kernel = head.final_layer.kernel_size
        problems = [] if kernel == (3, 3) else [
            f'a simple decoder with a {kernel} kernel (transformers: 3x3)'
        ]
        return dict(
            use_simple_decoder=True,
            scale_factor=head.upsample_factor), problems
    if kind == 'ViTPoseClassicHead':
        deconvs = [
            layer for layer in head.deconv_layers
            if isinstance(layer, nn.ConvTranspose2d)
        ]
        shapes = [(layer.out_channels, layer.kernel_size[0])
                  for layer in deconvs]
        problems = []
        if shapes != [(_CLASSIC_CHANNELS, _CLASSIC_KERNEL)] * 2:
            problems.append(
                f'a classic decoder with deconv (channels, kernel) {shapes} '
                f'(transformers: two of ({_CLASSIC_CHANNELS}, '
                f'{_CLASSIC_KERNEL}))')
        if head.final_layer.kernel_size != (1, 1):
            problems.append(f'a classic decoder with a '
                            f'{head.final_layer.kernel_size} final kernel '
                            f'(transformers: 1x1)')
        return dict(use_simple_decoder=False, scale_factor=4), problems
    return {}, [
        f'the head {kind} (transformers has ViTPose\'s simple and '
        f'classic decoders)'
    ]


def export_hugging_face(model: nn.Module,
                        dataset: Optional[str] = None) -> ConvertedModel:
    """A built plugin model, weights loaded, as transformers' VitPose.

    Args:
        model (nn.Module): A ``TopdownPoseEstimator`` or
            ``ViTPoseMultiDatasetEstimator`` with a ``ViTPoseBackbone``.
        dataset (str, optional): Multi-dataset models: the dataset whose
            head is exported. Defaults to None (dataset 0).

    Returns:
        ConvertedModel: transformers' tensors and ``config.json``.

    Raises:
        ValueError: naming every feature transformers cannot represent.
    """
    backbone = model.backbone
    if type(backbone).__name__ != 'ViTPoseBackbone':
        raise ValueError(f'the backbone {type(backbone).__name__} is not a '
                         f'ViTPoseBackbone')
    problems = _refusals(backbone)
    if getattr(model, 'neck', None) is not None:
        problems.append('a neck')
    state = model.state_dict()
    notes: List[str] = []
    heads = getattr(model, 'heads', None)
    if heads is not None:
        names = list(heads)
        name = names[0] if dataset is None else names[dataset_index(
            names, dataset)]
        head = heads[name]
        prefix = f'{HEADS_PREFIX}{name}.'
        state = {
            key: value
            for key, value in state.items() if not key.startswith(HEADS_PREFIX)
        }
        state.update({
            HEAD_PREFIX + key[len(prefix):]: value
            for key, value in model.state_dict().items()
            if key.startswith(prefix)
        })
        others = [other for other in names if other != name]
        if others:
            notes.append(f'exported the head of dataset {name}; left out the '
                         f'heads of {", ".join(others)} (transformers keeps '
                         f'one head)')
    else:
        if dataset is not None:
            raise ValueError(f'--dataset {dataset}: the model has one head')
        head = model.head
    head_cfg, head_problems = _head_config(head)
    problems += head_problems
    if problems:
        raise ValueError('transformers\' VitPose cannot represent ' +
                         '; '.join(problems))
    experts = backbone.num_experts
    if experts == 1:
        state = fuse_expert(state, 0)
        notes.append('one expert: appended to every fc2 (transformers\' '
                     'num_experts=1 is the plain FFN)')
        experts = 0
    block = backbone.blocks[0]
    qkv_bias = block.attn.qkv.bias is not None
    keypoints = head.final_layer.out_channels
    config = dict(
        architectures=['VitPoseForPoseEstimation'],
        model_type='vitpose',
        backbone_config=dict(
            model_type='vitpose_backbone',
            image_size=list(backbone.img_size),
            patch_size=list(backbone.patch_embed.patch_size),
            num_channels=backbone.patch_embed.proj.in_channels,
            hidden_size=backbone.embed_dims,
            num_hidden_layers=backbone.depth,
            num_attention_heads=backbone.num_heads,
            mlp_ratio=block.mlp.fc1.out_features / backbone.embed_dims,
            num_experts=experts or 1,
            part_features=backbone.expert_dims if experts else 256,
            hidden_act='gelu',
            layer_norm_eps=PLUGIN_LAYER_NORM_EPS,
            qkv_bias=qkv_bias,
            out_indices=[backbone.depth]),
        id2label={str(k): f'keypoint_{k}'
                  for k in range(keypoints)},
        label2id={f'keypoint_{k}': k
                  for k in range(keypoints)},
        torch_dtype='float32',
        **head_cfg)
    ratio = config['backbone_config']['mlp_ratio']
    if float(ratio).is_integer():
        config['backbone_config']['mlp_ratio'] = int(ratio)
    if experts:
        notes.append(f'every expert kept ({experts} of {backbone.expert_dims}'
                     f' outputs): transformers picks one per sample with '
                     f'dataset_index')
    return ConvertedModel(hugging_face_names(state), config, notes)


__all__ = [
    'CONFIG_FILE', 'CONFIG_META', 'ConvertedModel', 'HuggingFaceModel',
    'WEIGHTS_FILE', 'default_dataset_names', 'describe_config',
    'export_hugging_face', 'import_hugging_face', 'is_hugging_face_dir',
    'is_safetensors_checkpoint', 'plugin_model_cfg',
    'read_safetensors_checkpoint'
]
