"""Evaluate a checkpoint from a config (MMPose's command-line conventions).

``--out`` and ``--dump`` are checked before anything is built: an existing
file is refused unless ``--force``, and both are written atomically.
"""
import argparse
import os
import os.path as osp

from config_options import merge_cfg_options  # tools/config_options.py
from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.registry import RUNNERS

from vitpose_plugin.checkpoints.files import (OutputPathError,
                                              check_output_path,
                                              dump_atomically, dump_format)
from vitpose_plugin.engine import ViTPoseRunner
from vitpose_plugin.evaluation import with_dump_results


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a ViTPose model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='directory for logs and results')
    parser.add_argument(
        '--out',
        help='dump the evaluation metrics to this .json/.pkl/.yaml file')
    parser.add_argument(
        '--dump', help='dump the raw predictions to this .pkl file')
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace an existing --out or --dump file; default: refuse')
    parser.add_argument(
        '--show-dir',
        help='save images with the predicted keypoints drawn into this '
        'directory (relative to the run dir under the work dir)')
    parser.add_argument(
        '--show', action='store_true', help='display the predictions')
    parser.add_argument(
        '--interval', type=int, default=1, help='visualize every n-th sample')
    parser.add_argument(
        '--wait-time', type=float, default=1, help='display time with --show')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. model.test_cfg.flip_test=False')
    parser.add_argument(
        '--compile',
        action='store_true',
        help='torch.compile the backbone and head (sets cfg.compile=True)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line switches to the config."""
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.compile:
        cfg.compile = True
    cfg.launcher = args.launcher

    if args.show or args.show_dir:
        visualization = cfg.default_hooks.visualization
        visualization.enable = True
        visualization.show = args.show
        visualization.wait_time = args.wait_time
        visualization.interval = args.interval
        if args.show_dir:
            visualization.out_dir = args.show_dir

    if args.dump is not None:
        cfg.test_evaluator = with_dump_results(cfg.test_evaluator, args.dump)
    return cfg


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before the test runs, an ``--out`` or ``--dump`` of the wrong
    kind, one that is the config or the checkpoint, the same file twice, or
    an existing file without ``--force`` (every such file named at once).

    Raises:
        ValueError: a suffix the file cannot be written as, or ``--out``
            equal to ``--dump``.
        OutputPathError: see :func:`check_output_path`.
    """
    if args.dump is not None and not args.dump.endswith(('.pkl', '.pickle')):
        raise ValueError(f'--dump must be a .pkl file, got {args.dump}')
    if args.out is not None:
        dump_format(args.out, '--out')
        if args.dump is not None and \
                osp.abspath(args.out) == osp.abspath(args.dump):
            raise ValueError(f'--out and --dump are the same file {args.out}')
    refusals = []
    for option, path in (('--out', args.out), ('--dump', args.dump)):
        try:
            if path is not None:
                check_output_path(path, [args.config, args.checkpoint],
                                  args.force, option)
        except OutputPathError as error:
            refusals.append(str(error))
    if refusals:
        raise OutputPathError('; '.join(refusals))


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file not found: {args.config}')
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    check_outputs(args)
    cfg = Config.fromfile(args.config)
    merge_cfg_options(cfg, args.cfg_options)
    cfg = merge_args(cfg, args)

    runner = RUNNERS.build(cfg) if 'runner_type' in cfg \
        else ViTPoseRunner.from_cfg(cfg)
    if isinstance(runner, ViTPoseRunner):
        runner.checkpoint_option = 'checkpoint argument'
    metrics = runner.test()
    if args.out and is_main_process():
        dump_atomically(metrics, args.out)


if __name__ == '__main__':
    main()
