"""The checkpoint command line: ``python -m vitpose_plugin.checkpoints``.

Subcommands::

    convert SRC DST [--from LAYOUT] [--img-size H W] [--patch-size P]
                    [--patch-stride S] [--patch-padding Q] [--names ...]
                    [--index K]   # K: a Hugging Face ViTPose++ dataset
    export-hf SRC OUT_DIR [--config CFG] [--dataset NAME]  # -> transformers
    split SRC DST (--index K | --name NAME)   # dataset K's single model
    merge SRC DST --names A B ... [--expert-dims D] [--head-to A ...]
    extract-student SRC DST     # stage-2 distillation run -> student
    extract-teacher SRC DST     # stage-1 token tuning run -> tuned teacher
    publish IN OUT              # training run -> model-zoo file for MMPose
    inspect SRC                 # layout, sizes, head, what a file holds

Each prints what it found and did, and exits with status 1 and a message
naming the problem (file, layout, keys) on any bad input. No command writes
over its input, nor over an existing file without ``--force``; files are
written through a temporary file renamed into place.
"""
import argparse
import json
import os.path as osp
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence

from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpose.registry import MODELS

from ..token_grid import conv_patch_grid, infer_grid
from .extraction import extract_student, extract_teacher
from .files import (CorruptCheckpointError, UnsafeCheckpointError,
                    check_output_path, describe_unpickling, read_checkpoint,
                    read_state_dict, save_checkpoint, write_atomically)
from .hugging_face import (CONFIG_FILE, CONFIG_META, WEIGHTS_FILE,
                           export_hugging_face, import_hugging_face)
from .layouts import (BACKBONE_PREFIX, HEAD_PREFIX, HEADS_PREFIX,
                      HUGGING_FACE, KNOWLEDGE_TOKEN, LAYOUTS, MAE_LAYOUTS,
                      MMPOSE_VITPOSE, OFFICIAL_VITPOSE, OFFICIAL_VITPOSE_MOE,
                      PLUGIN, StateDict, convert_checkpoint, dataset_names,
                      detect_layout, head_kind, unwrap_state_dict)
from .meta_config import MODEL_CFG_META, model_cfg_from_meta
from .multi_dataset import (count_experts, dataset_index,
                            merge_single_dataset, split_multi_dataset)
from .publish import (PUBLISHED_ENTRIES, publish_checkpoint,
                      select_dataset_meta)
from .safetensors_format import encode_safetensors

#: ``--from`` choices: a layout, ``mae`` (either MAE layout) or ``auto``.
SOURCES: Dict[str, Sequence[str]] = {
    'auto': LAYOUTS,
    'mae': MAE_LAYOUTS,
    **{layout: (layout, )
       for layout in LAYOUTS},
}
_EXTRACTORS: Dict[str, Callable[[StateDict], StateDict]] = {
    'student': extract_student,
    'teacher': extract_teacher,
}
_ERRORS = (ValueError, KeyError, FileNotFoundError, UnsafeCheckpointError,
           CorruptCheckpointError)


def _describe_model(state_dict: StateDict) -> List[str]:
    """Lines on the backbone and head of a plugin-layout state dict."""
    lines = []
    pos_embed = state_dict.get('backbone.pos_embed')
    blocks = {int(key.split('.')[2])
              for key in state_dict if key.startswith('backbone.blocks.')}
    depth = 1 + max(blocks, default=-1)
    if pos_embed is not None:
        grid = infer_grid(pos_embed.shape[1], (4, 3))
        grid_text = f', a {grid[0]}x{grid[1]} grid' if grid else ''
        lines.append(f'backbone: embed_dims={pos_embed.shape[-1]}, '
                     f'depth={depth}, pos_embed {tuple(pos_embed.shape)}'
                     f'{grid_text}')
    tables = [key for key in state_dict
              if key.endswith('relative_position_bias_table')]
    if tables:
        lines.append(f'relative position bias tables in {len(tables)} '
                     f'block(s)')
    token = state_dict.get(KNOWLEDGE_TOKEN)
    if token is not None:
        lines.append(f'knowledge token {tuple(token.shape)}: build the '
                     f'backbone with knowledge_tokens={token.shape[1]}')
    experts, expert_dims = count_experts(state_dict)
    if experts:
        lines.append(f'experts: {experts} per block with {expert_dims} '
                     f'outputs each: build the backbone with num_experts='
                     f'{experts}, expert_dims={expert_dims}')
    kind = head_kind(state_dict)
    if kind is not None:
        lines.append(f'head: {_describe_head(state_dict, HEAD_PREFIX)}')
    for index, name in enumerate(dataset_names(state_dict)):
        head = _describe_head(state_dict, f'{HEADS_PREFIX}{name}.')
        lines.append(f'dataset {index} {name}: heads.{name}, {head}')
    if kind is None and not dataset_names(state_dict):
        lines.append('no head: use it as init_cfg of the backbone or as '
                     'load_from (the head stays randomly initialised)')
    return lines


def _describe_head(state_dict: StateDict, prefix: str) -> str:
    """The decoder and keypoint count of the head under ``prefix``."""
    kind = head_kind(state_dict, prefix)
    keypoints = state_dict[f'{prefix}final_layer.weight'].shape[0]
    head_type = 'ViTPoseClassicHead' if kind == 'classic' \
        else 'ViTPoseSimpleHead'
    return (f'{kind} decoder with {keypoints} keypoints; use '
            f'dict(type=\'{head_type}\', out_channels={keypoints}, ...)')


def _check_dst(args: argparse.Namespace) -> None:
    """Refuse, before any work, a DST that is SRC, or that exists and
    ``--force`` was not given."""
    check_output_path(args.dst, [args.src], overwrite=args.force)


def convert(args: argparse.Namespace) -> List[str]:
    """``convert``: any supported layout -> a plugin checkpoint."""
    _check_dst(args)
    checkpoint = read_checkpoint(args.src, config_key='SRC')
    state_dict = unwrap_state_dict(checkpoint)
    layout = detect_layout(state_dict)
    accepted = SOURCES[args.source]
    if layout not in accepted:
        raise ValueError(f'{args.src} is a {layout} checkpoint, but this '
                         f'converter accepts {", ".join(accepted)}')
    if layout == HUGGING_FACE:
        return convert_hugging_face(args, state_dict, checkpoint.get('meta'))
    if args.index is not None:
        raise ValueError(f'--index applies to Hugging Face ViTPose++ models; '
                         f'{args.src} is a {layout} checkpoint (split takes '
                         f'one dataset of a multi-dataset plugin checkpoint)')
    grid = conv_patch_grid(tuple(args.img_size), args.patch_size,
                           args.patch_stride, args.patch_padding)
    result = convert_checkpoint(
        state_dict, grid=grid, layout=layout, names=args.names)
    converted = result.state_dict
    lines = [f'read {len(state_dict)} tensors from {args.src} '
             f'({layout} layout)']
    lines += _describe_model(converted)
    if layout in MAE_LAYOUTS:
        lines.append(f'resized the MAE position embedding to the {grid[0]}x'
                     f'{grid[1]} grid of {args.img_size[0]}x'
                     f'{args.img_size[1]} inputs and added its class slot '
                     f'to every patch')
    elif layout in (OFFICIAL_VITPOSE, OFFICIAL_VITPOSE_MOE):
        lines.append('folded the class slot of pos_embed into every patch '
                     '(as the official forward adds it)')
    if layout == OFFICIAL_VITPOSE_MOE:
        names = dataset_names(converted)
        sources = ['keypoint_head'] + [
            f'associate_keypoint_heads.{index}'
            for index in range(len(names) - 1)
        ]
        lines.append('named the heads in dataset order: ' + ', '.join(
            f'{source} -> heads.{name}'
            for source, name in zip(sources, names)))
    if result.dropped:
        dropped = sorted(result.dropped)
        lines.append(f'dropped {len(dropped)} tensors not used by the '
                     f'backbone: {", ".join(dropped[:6])}'
                     f'{" ..." if len(dropped) > 6 else ""}')
    save_checkpoint(
        converted,
        args.dst,
        converted_from=layout,
        source=args.src,
        head=head_kind(converted) or 'none',
        dataset_names=dataset_names(converted))
    lines.append(f'saved {len(converted)} tensors to {args.dst}')
    return lines


def convert_hugging_face(args: argparse.Namespace, state_dict: StateDict,
                         meta: Any) -> List[str]:
    """``convert`` of a transformers VitPose (directory or
    ``model.safetensors`` with its ``config.json``)."""
    config = meta.get(CONFIG_META) if isinstance(meta, dict) else None
    if not isinstance(config, dict):
        raise ValueError(f'{args.src} holds transformers VitPose weights but '
                         f'no {CONFIG_FILE} was found beside them: give the '
                         f'model directory ({CONFIG_FILE} + {WEIGHTS_FILE})')
    result = import_hugging_face(state_dict, config, args.names, args.index,
                                 source=f'{args.src} ({CONFIG_FILE})')
    converted = result.state_dict
    lines = [f'read {len(state_dict)} tensors from {args.src} '
             f'({HUGGING_FACE} layout): ' + result.notes[0]]
    lines += result.notes[1:] + _describe_model(converted)
    lines.append(f'model config (kept in the checkpoint meta as '
                 f'{MODEL_CFG_META}): model = {result.config}')
    save_checkpoint(
        converted,
        args.dst,
        converted_from=HUGGING_FACE,
        source=args.src,
        head=head_kind(converted) or 'none',
        dataset_names=dataset_names(converted),
        **{MODEL_CFG_META: result.config, CONFIG_META: config})
    lines.append(f'saved {len(converted)} tensors to {args.dst}')
    return lines


def _build_model(model_cfg: dict, state_dict: StateDict,
                 src: str) -> Any:
    """The model of ``model_cfg`` with ``state_dict`` loaded strictly."""
    cfg = dict(model_cfg)
    cfg.pop('init_cfg', None)
    with DefaultScope.overwrite_default_scope('mmpose'):
        model = MODELS.build(cfg)
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    if missing or unexpected:
        raise ValueError(f'{src} does not fit its model config: missing '
                         f'{sorted(missing)[:6]}, unexpected '
                         f'{sorted(unexpected)[:6]}')
    return model.eval()


def export_hf(args: argparse.Namespace) -> List[str]:
    """``export-hf``: a plugin model as transformers'
    ``VitPoseForPoseEstimation`` (``config.json`` + ``model.safetensors``).
    """
    outputs = [osp.join(args.dst, name) for name in (WEIGHTS_FILE,
                                                     CONFIG_FILE)]
    for output in outputs:
        check_output_path(output, [args.src], args.force, option='OUT_DIR')
    checkpoint = read_checkpoint(args.src, config_key='SRC')
    state_dict = unwrap_state_dict(checkpoint)
    layout = detect_layout(state_dict)
    if layout != PLUGIN:
        raise ValueError(f'{args.src} is a {layout} checkpoint; export-hf '
                         f'takes a plugin one (convert it first)')
    if args.config:
        model_cfg = Config.fromfile(args.config).model.to_dict()
    else:
        meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else {}
        model_cfg = model_cfg_from_meta(meta)
        if model_cfg is None:
            raise ValueError(f'{args.src} has no model config in its meta '
                             f'(cfg or {MODEL_CFG_META}): pass --config CFG')
    model = _build_model(model_cfg, state_dict, args.src)
    result = export_hugging_face(model, args.dataset)
    weights = encode_safetensors(result.state_dict, {})
    config = json.dumps(result.config, indent=2, sort_keys=True) + '\n'
    write_atomically(outputs[0], lambda file: file.write(weights))
    write_atomically(outputs[1], lambda file: file.write(config.encode()))
    backbone = result.config['backbone_config']
    return [f'read {len(state_dict)} tensors from {args.src} ({layout} '
            f'layout): {type(model).__name__}, {backbone["num_hidden_layers"]}'
            f' blocks of width {backbone["hidden_size"]}'] + result.notes + [
                f'saved {len(result.state_dict)} tensors and {CONFIG_FILE} to '
                f'{args.dst}: transformers\' VitPoseForPoseEstimation.'
                f'from_pretrained({args.dst!r}) loads it'
            ]


def _meta_dataset_names(checkpoint: Any) -> Optional[List[str]]:
    """The ``meta['dataset_names']`` that ``merge``/``convert`` write."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    names = meta.get('dataset_names') if isinstance(meta, dict) else None
    if isinstance(names, list) and names and all(
            isinstance(name, str) for name in names):
        return names
    return None


def split(args: argparse.Namespace) -> List[str]:
    """``split``: one dataset of a multi-dataset model as a single model."""
    _check_dst(args)
    checkpoint = read_checkpoint(args.src, config_key='SRC')
    state_dict = unwrap_state_dict(checkpoint)
    layout = detect_layout(state_dict)
    names = args.names
    if layout == OFFICIAL_VITPOSE_MOE:
        state_dict = convert_checkpoint(
            state_dict, layout=layout, names=names).state_dict
        names = None
    elif layout != PLUGIN:
        raise ValueError(f'{args.src} is a {layout} checkpoint; split takes '
                         f'a multi-dataset plugin checkpoint or an official '
                         f'ViTPose+ one')
    names = names or _meta_dataset_names(checkpoint) or dataset_names(
        state_dict)
    dataset = args.name if args.index is None else args.index
    single = split_multi_dataset(state_dict, dataset, names)
    index = dataset_index(names, dataset)
    experts, expert_dims = count_experts(state_dict)
    lines = [
        f'read {len(state_dict)} tensors from {args.src} ({layout} layout) '
        f'with datasets ' +
        ', '.join(f'{i} {name}' for i, name in enumerate(names))
    ]
    if experts:
        width = single['backbone.blocks.0.mlp.fc2.weight'].shape[0]
        lines.append(f'appended expert {index} to every block\'s fc2 '
                     f'({width - expert_dims} + {expert_dims} = {width} '
                     f'outputs) and dropped the other {experts - 1} experts')
    lines += _describe_model(single)
    if head_kind(single):
        lines.append(f'dataset {index} {names[index]} as a single model: a '
                     f'TopdownPoseEstimator with a plain ViTPoseBackbone '
                     f'(num_experts=0) and this head loads it strictly '
                     f'(load_from, tools/test.py CONFIG DST)')
    save_checkpoint(
        single,
        args.dst,
        split_from=args.src,
        dataset=names[index],
        dataset_index=index,
        head=head_kind(single) or 'none')
    lines.append(f'saved {len(single)} tensors to {args.dst}')
    return lines


def merge(args: argparse.Namespace) -> List[str]:
    """``merge``: a multi-dataset model from a single-dataset one."""
    _check_dst(args)
    state_dict = read_state_dict(args.src, 'SRC')
    layout = detect_layout(state_dict)
    if layout in (OFFICIAL_VITPOSE, MMPOSE_VITPOSE):
        state_dict = convert_checkpoint(state_dict, layout=layout).state_dict
    elif layout != PLUGIN:
        raise ValueError(
            f'{args.src} is a {layout} checkpoint; merge takes a '
            f'single-dataset pose checkpoint (plugin, official ViTPose or '
            f'MMPose 1.x). A pretrained backbone (MAE) initialises an '
            f'expert backbone directly: init_cfg=dict(type=\'Pretrained\', '
            f'checkpoint=...)')
    merged = merge_single_dataset(state_dict, args.names, args.expert_dims,
                                  args.head_to)
    lines = [f'read {len(state_dict)} tensors from {args.src} ({layout} '
             f'layout)']
    if args.expert_dims:
        lines.append(f'split every block\'s fc2 into a shared part and '
                     f'{len(args.names)} experts, each a copy of its last '
                     f'{args.expert_dims} outputs')
    lines += _describe_model(merged)
    rest = [name for name in args.names if name not in args.head_to]
    if rest:
        lines.append(f'no head for {", ".join(rest)}: they keep their '
                     f'initialisation when loaded with load_from')
    experts = f'num_experts={len(args.names)}, expert_dims=' \
        f'{args.expert_dims}' if args.expert_dims else 'num_experts=0'
    lines.append(f'use it as load_from of a ViTPoseMultiDatasetEstimator '
                 f'with heads {", ".join(args.names)} in this order and a '
                 f'backbone with {experts}')
    save_checkpoint(
        merged,
        args.dst,
        merged_from=args.src,
        dataset_names=list(args.names),
        expert_dims=args.expert_dims,
        head_to=list(args.head_to))
    lines.append(f'saved {len(merged)} tensors to {args.dst}')
    return lines


def extract(args: argparse.Namespace) -> List[str]:
    """``extract-student`` / ``extract-teacher``."""
    _check_dst(args)
    state_dict = read_state_dict(args.src, 'SRC')
    try:
        extracted = _EXTRACTORS[args.part](state_dict)
    except ValueError as error:
        raise ValueError(f'cannot extract the {args.part} of {args.src}: '
                         f'{error}') from None
    save_checkpoint(
        extracted, args.dst, extracted_from=args.src, part=args.part)
    token = extracted.get(KNOWLEDGE_TOKEN)
    detail = f', knowledge token {tuple(token.shape)}' \
        if token is not None else ''
    return [
        f'saved the {args.part} ({len(extracted)} tensors{detail}) to '
        f'{args.dst}'
    ]


def publish(args: argparse.Namespace) -> List[str]:
    """``publish``: a plugin checkpoint (a training run's) as a model-zoo
    file that MMPose's ``init_model`` / ``MMPoseInferencer`` load."""
    checkpoint = read_checkpoint(args.src, config_key='IN')
    state_dict = unwrap_state_dict(checkpoint)
    layout = detect_layout(state_dict)
    if layout != PLUGIN:
        first = f'convert {args.src} X' if layout in LAYOUTS else \
            f'extract-{"teacher" if layout == "token_tuner" else "student"}' \
            f' {args.src} X'
        raise ValueError(f'{args.src} is a {layout} checkpoint; publish takes '
                         f'a plugin pose model: python -m vitpose_plugin.'
                         f'checkpoints {first} first, then publish X')
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    if args.dataset is not None:
        meta = select_dataset_meta(meta, args.dataset)
    published = publish_checkpoint(
        state_dict,
        meta,
        args.dst,
        inputs=(args.src, ),
        overwrite=args.force)
    lines = [f'read {len(state_dict)} tensors from {args.src} ({layout} '
             f'layout)']
    others = sorted(key for key in checkpoint
                    if key not in PUBLISHED_ENTRIES) \
        if isinstance(checkpoint, dict) else []
    if others:
        lines.append(f'left out (training state): {", ".join(others)}')
    if args.dataset is not None:
        lines.append(f'meta.dataset_meta: the metainfo of {args.dataset} '
                     f'(use a config narrowed to it: vitpose_plugin.apis.'
                     f'select_dataset(cfg, {args.dataset!r}))')
    if published.dropped_meta:
        lines.append(f'left out of meta (no plain values): '
                     f'{", ".join(published.dropped_meta)}')
    lines.append(f'saved {len(state_dict)} tensors and plain-typed meta to '
                 f'{published.path} (sha256 {published.sha256}); it loads '
                 f'with torch.load(weights_only=True), MMPose\'s init_model '
                 f'and MMPoseInferencer(pose2d_weights=...)')
    return lines


def inspect(args: argparse.Namespace) -> List[str]:
    """``inspect``: what a checkpoint file holds, without converting it."""
    checkpoint = read_checkpoint(args.src, config_key='SRC')
    state_dict = unwrap_state_dict(checkpoint)
    layout = detect_layout(state_dict)
    lines = [
        f'{args.src}: {len(state_dict)} tensors, {layout} layout '
        f'({describe_unpickling(args.src)})'
    ]
    if layout in LAYOUTS:
        grid = (16, 12) if layout in MAE_LAYOUTS else None
        try:
            plugin = convert_checkpoint(state_dict, grid, layout).state_dict
        except ValueError as error:
            if layout != OFFICIAL_VITPOSE_MOE:
                raise
            # Heads that need --names: describe the backbone only.
            lines.append(f'{error}')
            plugin = convert_checkpoint({
                key: value
                for key, value in state_dict.items()
                if key.startswith(BACKBONE_PREFIX)
            }, layout=layout).state_dict
        lines += _describe_model(plugin)
        if layout != PLUGIN:
            lines.append('convert it with: python -m vitpose_plugin.'
                         'checkpoints convert SRC DST (or use it directly as '
                         'the backbone init_cfg)')
    else:
        part = 'teacher' if layout == 'token_tuner' else 'student'
        lines.append(f'a distillation run: python -m vitpose_plugin.'
                     f'checkpoints extract-{part} SRC DST')
    if isinstance(checkpoint, dict):
        others = sorted(key for key in checkpoint
                        if key not in ('state_dict', 'model', 'module'))
        if others:
            lines.append(f'other entries: {", ".join(others)}')
    return lines


def _add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace an existing output file (never the input); default: '
        'refuse')


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='python -m vitpose_plugin.checkpoints',
        description='Convert, extract and inspect ViTPose checkpoints. '
        'Files are read with torch.load(weights_only=True); set '
        'VITPOSE_TRUST_CHECKPOINTS=1 to unpickle trusted legacy files '
        'completely.')
    commands = parser.add_subparsers(dest='command', required=True)

    converter = commands.add_parser(
        'convert',
        help='official ViTPose, MMPose 1.x, MAE or Hugging Face -> plugin '
        'checkpoint',
        description='Convert an official ViTPose (MMPose 0.x), MMPose 1.x '
        'ViTPose, MAE (facebookresearch, mmpretrain) or Hugging Face '
        'transformers VitPose checkpoint to the plugin layout, for '
        'load_from, init_cfg or tools/test.py. An official ViTPose+ '
        '(multi-dataset) checkpoint becomes a ViTPoseMultiDatasetEstimator '
        'one with heads.<name>.*; so does a Hugging Face ViTPose++ one '
        '(every expert, its one head for every dataset). A DST ending in '
        '.safetensors is written as safetensors.')
    converter.add_argument(
        'src',
        help='source checkpoint (path or URL; a Hugging Face model directory '
        'or its model.safetensors)')
    converter.add_argument('dst', help='output checkpoint')
    converter.add_argument(
        '--from',
        dest='source',
        choices=sorted(SOURCES),
        default='auto',
        help='accepted source layout (default: detect it)')
    converter.add_argument(
        '--img-size',
        type=int,
        nargs=2,
        default=[256, 192],
        metavar=('H', 'W'),
        help='input size of the target config; an MAE position embedding '
        'is resized to its token grid (default: 256 192)')
    converter.add_argument(
        '--patch-size', type=int, default=16, help='default: 16')
    converter.add_argument(
        '--patch-stride', type=int, help='default: the patch size')
    converter.add_argument(
        '--patch-padding', type=int, default=2, help='default: 2')
    converter.add_argument(
        '--names',
        nargs='+',
        help='official ViTPose+ checkpoints: dataset names of keypoint_head, '
        'associate_keypoint_heads.0, ... (default: ViTPose++\'s order coco '
        'aic mpii ap10k apt36k wholebody, checked against the keypoint '
        'counts); Hugging Face ViTPose++: one name per expert')
    converter.add_argument(
        '--index',
        type=int,
        help='Hugging Face ViTPose++: write dataset K\'s single-dataset model '
        '(expert K appended to every fc2), which gives transformers\' '
        'heatmaps with dataset_index=K (default: every expert, a '
        'ViTPoseMultiDatasetEstimator whose heads are all transformers\' one '
        'head)')
    _add_force(converter)
    converter.set_defaults(run=convert)

    exporter = commands.add_parser(
        'export-hf',
        help='plugin model -> Hugging Face transformers VitPose',
        description='Write a plugin checkpoint as transformers\' '
        'VitPoseForPoseEstimation: OUT_DIR/config.json and '
        'OUT_DIR/model.safetensors. A multi-dataset model keeps every expert '
        'and one head (--dataset, default dataset 0), as transformers keeps '
        'ViTPose++. Features transformers cannot represent (window or '
        'pooling attention, relative position bias, knowledge tokens, '
        'overlapping patches, input sizes its config cannot express, other '
        'decoders) are refused by name.')
    exporter.add_argument('src', help='plugin checkpoint (.pth, .safetensors)')
    exporter.add_argument('dst', metavar='OUT_DIR', help='output directory')
    exporter.add_argument(
        '--config',
        help='config of the model (default: the one in the checkpoint meta, '
        'which the runner and convert store)')
    exporter.add_argument(
        '--dataset',
        help='multi-dataset models: the dataset whose head is exported '
        '(default: dataset 0)')
    _add_force(exporter)
    exporter.set_defaults(run=export_hf)

    splitter = commands.add_parser(
        'split',
        help='one dataset of a multi-dataset model as a single model',
        description='Write dataset K of a multi-dataset checkpoint '
        '(ViTPoseMultiDatasetEstimator, or official ViTPose+) as a '
        'single-dataset one: expert K appended to every fc2, head K as '
        'head.*. It loads strictly into a TopdownPoseEstimator with a plain '
        'ViTPoseBackbone and that head. Datasets are numbered in the order '
        'of the checkpoint\'s heads (the model\'s dataset order).')
    splitter.add_argument('src', help='multi-dataset checkpoint')
    splitter.add_argument('dst', help='output single-dataset checkpoint')
    which = splitter.add_mutually_exclusive_group(required=True)
    which.add_argument('--index', type=int, help='dataset index K')
    which.add_argument('--name', help='dataset name')
    splitter.add_argument(
        '--names',
        nargs='+',
        help='the datasets in index order: for an official ViTPose+ '
        'checkpoint the names of keypoint_head, associate_keypoint_heads.0, '
        '...; for a plugin one, needed only when it lacks some heads and '
        'its meta has no dataset_names (default: meta, else the heads\' '
        'order)')
    _add_force(splitter)
    splitter.set_defaults(run=split)

    merger = commands.add_parser(
        'merge',
        help='a multi-dataset model from a single-dataset one',
        description='Initialise a multi-dataset model '
        '(ViTPoseMultiDatasetEstimator) from a single-dataset checkpoint: '
        'the backbone is shared; with --expert-dims every block\'s fc2 '
        'keeps its first D - expert_dims outputs and every expert starts '
        'as a copy of the last expert_dims (the official ViTPose++ '
        'initialisation); the head is copied to the datasets of --head-to.')
    merger.add_argument('src', help='single-dataset checkpoint')
    merger.add_argument('dst', help='output multi-dataset checkpoint')
    merger.add_argument(
        '--names',
        nargs='+',
        required=True,
        help='datasets of the multi-dataset model, in its heads\' order')
    merger.add_argument(
        '--expert-dims',
        type=int,
        default=0,
        help='outputs of each expert (ViTPose++: 192 for S/B, 256 for L, '
        '320 for H); default: 0, no experts')
    merger.add_argument(
        '--head-to',
        nargs='+',
        default=[],
        metavar='NAME',
        help='datasets whose head starts as the checkpoint\'s (same '
        'keypoint count); default: none, every head keeps its '
        'initialisation')
    _add_force(merger)
    merger.set_defaults(run=merge)

    for part, source in (('student', 'ViTPoseTokenDistiller (stage 2)'),
                         ('teacher', 'ViTPoseKnowledgeTokenTuner (stage 1)')):
        extractor = commands.add_parser(
            f'extract-{part}',
            help=f'the {part} of a {source} checkpoint',
            description=f'Write the {part} of a {source} training '
            f'checkpoint as a plain pose-model checkpoint (with its '
            f'knowledge token as {KNOWLEDGE_TOKEN}).')
        extractor.add_argument('src', help='checkpoint of the run')
        extractor.add_argument('dst', help=f'output {part} checkpoint')
        _add_force(extractor)
        extractor.set_defaults(run=extract, part=part)

    publisher = commands.add_parser(
        'publish',
        help='a training checkpoint as a model-zoo file for MMPose',
        description='As MMPose\'s tools/misc/publish_model.py: keep only '
        'the weights and meta of a plugin checkpoint (a training run\'s '
        'epoch_N.pth: no optimizer, schedulers or message hub), numpy values '
        'in meta as plain lists and numbers, and write it as OUT\'s stem + '
        '-<first 8 hex digits of its sha256>.pth. It loads with torch\'s '
        'default weights_only=True, so MMPose\'s init_model and '
        'MMPoseInferencer(pose2d_weights=...) read it.')
    publisher.add_argument('src', metavar='IN', help='plugin checkpoint')
    publisher.add_argument(
        'dst', metavar='OUT',
        help='output name: OUT.pth becomes OUT-<sha256[:8]>.pth')
    publisher.add_argument(
        '--dataset',
        help='multi-dataset runs: store this dataset\'s metainfo as '
        'meta.dataset_meta (what MMPose\'s init_model gives the model); '
        'default: the run\'s, whose keypoints are its first dataset\'s')
    _add_force(publisher)
    publisher.set_defaults(run=publish)

    inspector = commands.add_parser(
        'inspect', help='what a checkpoint holds (layout, sizes, head)')
    inspector.add_argument('src', help='checkpoint (path or URL)')
    inspector.set_defaults(run=inspect)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit status (1 on bad input)."""
    args = build_parser().parse_args(argv)
    try:
        lines = args.run(args)
    except _ERRORS as error:
        message = error.args[0] if isinstance(error, KeyError) else error
        print(f'error: {args.command} {args.src}: {message}', file=sys.stderr)
        return 1
    print('\n'.join(lines))
    return 0
