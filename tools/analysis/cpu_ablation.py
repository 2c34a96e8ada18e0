"""CPU mini-ablation on the synthetic learnability benchmark.

Trains variants of the learnability recipe, each under the same schedule
(hence about the same CPU budget), evaluates each on the held-out val split
and writes a Markdown table (AP, AP50, training minutes) plus the raw results
as JSON. Groups (paper ablations, reproduced in trend only):

- ``decoder``: classic (2 deconvs) vs simple (bilinear x4 + conv) decoder.
- ``attention``: full vs window vs shifted-window attention in the backbone.
- ``finetune``: full fine-tuning vs frozen MHSA vs frozen FFN: the backbone
  starts from a trained tiny model (``--base-checkpoint``, default: the
  classic decoder run's checkpoint), the decoder from scratch.

A variant whose options the backbone rejects is listed as skipped with the
reason. Variants with the same overrides and schedule (``attention/full`` and
``decoder/classic`` are both the plain recipe) are trained once. Options of a
variant can be changed from the command line, e.g.

    python tools/analysis/cpu_ablation.py --groups attention \\
        --override window 'model.backbone.attn_cfg.window_size=(4, 3)'

Results of earlier runs in ``--out`` (its ``.json`` twin) are kept, so groups
can be run one at a time: a table of this tool (both files there) is
updated, any other existing ``--out`` or twin is refused before anything
runs unless ``--force``. Both files are written atomically.
"""
import argparse
import ast
import copy
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpose.registry import MODELS

import vitpose_plugin  # noqa: F401 (registers the plugin's modules)
from vitpose_plugin.checkpoints.files import (check_output_path,
                                              dump_atomically,
                                              write_atomically)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'vitpose_synthetic',
                  'td-hm_ViTPose-tiny_synthetic-128x96.py')


def simple_head(cfg: Config) -> dict:
    """The recipe's head swapped for the simple decoder."""
    head = cfg.model.head
    return dict(_delete_=True, type='ViTPoseSimpleHead',
                in_channels=head.in_channels, out_channels=head.out_channels,
                upsample_factor=4, kernel_size=3, loss=head.loss,
                decoder=head.decoder)


#: group -> variant -> config overrides: dotted keys, values are Python
#: values or functions of the recipe's config that return one.
VARIANTS: Dict[str, Dict[str, Dict[str, Any]]] = {
    'decoder': {
        'classic': {},
        'simple': {
            'model.head': simple_head,
        },
    },
    'attention': {
        'full': {},
        # 8x6 tokens at 128x96: 4x3 windows split the map into quarters, as
        # the paper's 8x8 windows do for its 16x12 map.
        'window': {
            'model.backbone.attn_types': 'window',
            'model.backbone.attn_cfg.window_size': (4, 3),
        },
        # A pattern repeated over the blocks: window, shifted window, ...
        'shifted_window': {
            'model.backbone.attn_types': ('window', 'shift_window'),
            'model.backbone.attn_cfg.window_size': (4, 3),
        },
    },
    'finetune': {
        'full': {},
        'frozen_mhsa': {'model.backbone.freeze_attn': True},
        'frozen_ffn': {'model.backbone.freeze_ffn': True},
    },
}
GROUP_TITLES = {
    'decoder': 'Decoder (from scratch)',
    'attention': 'Attention (from scratch)',
    'finetune': 'Partial fine-tuning (from the trained tiny model)',
}


def variant_config(overrides: Dict[str, Any]) -> Config:
    """The recipe with a variant's overrides merged in.

    Args:
        overrides (dict): Dotted config key -> value or function of the
            recipe's config returning the value.
    """
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict({
        key: value(cfg) if callable(value) else copy.deepcopy(value)
        for key, value in overrides.items()
    })
    return cfg


def check_model(cfg: Config) -> Optional[str]:
    """Build the config's model; the reason it cannot be built, or None."""
    try:
        with DefaultScope.overwrite_default_scope('mmpose'):
            MODELS.build(cfg.model)
    except (TypeError, ValueError, KeyError) as error:
        return f'{type(error).__name__}: {error}'
    return None


def run_tool(args: List[str], log_file: str) -> None:
    """Run a repo tool, its output into ``log_file``; raise on failure."""
    env = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep +
               os.environ.get('PYTHONPATH', ''))
    with open(log_file, 'w') as log:
        proc = subprocess.run([sys.executable, *args], cwd=REPO_ROOT,
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode:
        raise RuntimeError(f'{" ".join(args)} failed, see {log_file}')


def set_epochs(cfg: Config, epochs: int) -> None:
    """Shorten or lengthen the recipe's schedule, cosine decay included."""
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = epochs
    cfg.param_scheduler[1].update(end=epochs, T_max=epochs)


def run_variant(group: str, name: str, overrides: Dict[str, Any],
                work_root: str, base_checkpoint: Optional[str],
                epochs: Optional[int]) -> dict:
    """Train and evaluate one variant.

    Args:
        group (str): Key of ``VARIANTS``.
        name (str): Variant within the group.
        overrides (dict): The variant's config overrides.
        work_root (str): Runs go to ``<work_root>/<group>/<name>``.
        base_checkpoint (str, optional): Trained model the ``finetune``
            group starts from.
        epochs (int, optional): Schedule length; None keeps the recipe's.

    Returns:
        dict: ``group``, ``variant``, ``overrides``, ``status`` and, when it
        ran, ``ap``, ``ap50``, ``ar``, ``train_minutes`` and
        ``checkpoint``.
    """
    result = dict(group=group, variant=name, overrides=sorted(overrides),
                  epochs=epochs)
    cfg = variant_config(overrides)
    reason = check_model(cfg)
    if reason is not None:
        print(f'[{group}/{name}] skipped: the model rejects the options '
              f'{overrides}: {reason}')
        return dict(result, status=f'skipped ({reason.splitlines()[0]})')

    work_dir = osp.join(work_root, group, name)
    os.makedirs(work_dir, exist_ok=True)
    if group == 'finetune':
        if not base_checkpoint or not osp.isfile(base_checkpoint):
            return dict(result, status='skipped (no trained tiny model: run '
                        'the decoder group or pass --base-checkpoint)')
        # The backbone comes from the trained model, the decoder is new.
        cfg.model.backbone.init_cfg = dict(
            type='Pretrained', checkpoint=osp.abspath(base_checkpoint))
    if epochs is not None:
        set_epochs(cfg, epochs)
    config_file = osp.join(work_dir, 'variant_config.py')
    cfg.dump(config_file)
    print(f'[{group}/{name}] training in {work_dir}')
    start = time.time()
    run_tool(['tools/train.py', config_file, '--work-dir', work_dir],
             osp.join(work_dir, 'train_output.log'))
    minutes = (time.time() - start) / 60
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    metrics_file = osp.join(work_dir, 'val_metrics.json')
    # --force: the variant's own work directory, trained again
    run_tool(['tools/test.py', config_file, checkpoint, '--work-dir',
              work_dir, '--out', metrics_file, '--force'],
             osp.join(work_dir, 'test_output.log'))
    with open(metrics_file) as f:
        metrics = json.load(f)
    print(f'[{group}/{name}] AP {metrics["coco/AP"]:.3f} in {minutes:.1f} min')
    return dict(result, status='ok', ap=metrics['coco/AP'],
                ap50=metrics['coco/AP .5'], ar=metrics['coco/AR'],
                train_minutes=round(minutes, 2), checkpoint=checkpoint)


def write_table(results: List[dict], out_file: str) -> None:
    """Markdown table per group, in ``VARIANTS`` order, written atomically
    (an existing ``out_file`` is replaced)."""
    load = os.getloadavg()[0]
    lines = [
        '# CPU mini-ablation: results',
        '',
        'Written by `tools/analysis/cpu_ablation.py` (learnability recipe, '
        'held-out synthetic val split, GT boxes). Minutes are wall time of '
        f'`tools/train.py` on this machine (1-min load {load:.1f} when '
        'written).', ''
    ]
    for group, variants in VARIANTS.items():
        rows = [r for r in results if r['group'] == group]
        if not rows:
            continue
        rows.sort(key=lambda r: list(variants).index(r['variant'])
                  if r['variant'] in variants else len(variants))
        lines += [f'## {GROUP_TITLES[group]}', '',
                  '| variant | epochs | AP | AP50 | AR | train min | status |',
                  '| --- | --- | --- | --- | --- | --- | --- |']
        for row in rows:
            epochs = row.get('epochs') or 'recipe'
            if row['status'] == 'ok':
                lines.append(f'| {row["variant"]} | {epochs} | '
                             f'{row["ap"]:.3f} | '
                             f'{row["ap50"]:.3f} | {row["ar"]:.3f} | '
                             f'{row["train_minutes"]:.1f} | ok |')
            else:
                lines.append(f'| {row["variant"]} | {epochs} | - | - | - | '
                             f'- | {row["status"]} |')
        lines.append('')
    table = '\n'.join(lines).encode()
    write_atomically(out_file, lambda file: file.write(table))


def check_outputs(out_file: str, json_file: str, force: bool) -> None:
    """Refuse an existing ``--out`` or ``.json`` twin that is not a table
    of this tool (both files there) unless ``force``.

    Raises:
        ValueError: ``out_file`` is its own twin (a .json name).
        OutputPathError: see :func:`check_output_path`.
    """
    if out_file == json_file:
        raise ValueError(f'--out {out_file}: give the Markdown table (.md); '
                         f'the results go to its .json twin')
    if osp.isfile(out_file) and osp.isfile(json_file):
        return  # a table of this tool: updated, its results kept
    check_output_path(out_file, overwrite=force, option='--out')
    check_output_path(json_file, overwrite=force,
                      option="--out's .json twin")


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments (``sys.argv[1:]`` if ``argv`` is None)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--groups', nargs='+', choices=list(VARIANTS),
                        default=list(VARIANTS))
    parser.add_argument('--work-root', default='work_dirs/cpu_ablation')
    parser.add_argument('--out', default='docs/cpu_ablation_results.md',
                        help='Markdown table; results also go to its .json')
    parser.add_argument('--force', action='store_true',
                        help='replace an existing --out or .json twin that '
                        'is not a table of this tool; default: refuse')
    parser.add_argument('--base-checkpoint',
                        help='trained tiny model for the finetune group '
                        '(default: the decoder group\'s classic run)')
    parser.add_argument(
        '--epochs', type=int,
        help='schedule length of the from-scratch groups (default: the '
        'recipe\'s); shorter runs give a cheaper, rougher comparison')
    parser.add_argument('--finetune-epochs', type=int, default=6,
                        help='schedule length of the finetune group')
    parser.add_argument(
        '--override', nargs='+', action='append', default=[],
        metavar=('VARIANT', 'KEY=VALUE'),
        help='replace config overrides of a variant, e.g. --override '
        'window "model.backbone.attn_cfg.window_size=(4, 3)"; values are '
        'Python literals (anything else is taken as a string)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run the groups and write the table; see the module docstring."""
    args = parse_args(argv)
    for variant, *pairs in args.override:
        groups = [g for g, vs in VARIANTS.items() if variant in vs]
        if not groups:
            raise SystemExit(f'--override: unknown variant {variant!r}')
        for pair in pairs:
            key, text = pair.split('=', 1)
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                value = text
            for group in groups:
                VARIANTS[group][variant][key] = value

    json_file = osp.splitext(args.out)[0] + '.json'
    check_outputs(args.out, json_file, args.force)
    results = []
    if osp.isfile(json_file):
        with open(json_file) as f:
            results = [r for r in json.load(f)
                       if r['group'] not in args.groups]

    base_checkpoint = args.base_checkpoint
    for group in args.groups:
        for name, overrides in VARIANTS[group].items():
            if group == 'finetune' and base_checkpoint is None:
                base_checkpoint = next(
                    (r.get('checkpoint') for r in results
                     if (r['group'], r['variant']) == ('decoder', 'classic')
                     and r['status'] == 'ok'), None)
            epochs = (args.finetune_epochs
                      if group == 'finetune' else args.epochs)
            # The plain recipe from scratch (decoder/classic = attention/full)
            # is trained once.
            same = None
            if not overrides and group != 'finetune':
                same = next((r for r in results
                             if r['status'] == 'ok' and not r['overrides']
                             and r['group'] != 'finetune'
                             and r.get('epochs') == epochs), None)
            if same is not None:
                print(f'[{group}/{name}] = [{same["group"]}/'
                      f'{same["variant"]}], not trained again')
                results.append(dict(same, group=group, variant=name))
            else:
                results.append(
                    run_variant(group, name, overrides, args.work_root,
                                base_checkpoint, epochs))
            dump_atomically(results, json_file, indent=1)
            write_table(results, args.out)
    print(f'results: {args.out}')


if __name__ == '__main__':
    main()
