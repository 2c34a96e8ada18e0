"""Train a pose model from a config (MMPose's command-line conventions)."""
import argparse
import os
import os.path as osp

from config_options import merge_cfg_options  # tools/config_options.py
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS

from vitpose_plugin.engine import ViTPoseRunner


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a ViTPose model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='directory for logs and checkpoints')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint; without a path, from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by actual batch size / auto_scale_lr.base_batch_size')
    parser.add_argument(
        '--show-dir',
        help='save validation visualizations here (relative to the run dir)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. optim_wrapper.optimizer.lr=1e-4')
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

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper in ('ViTPoseOptimWrapper', 'ViTPoseAmpOptimWrapper'):
            # bfloat16 autocast, no loss scaling: no host sync in the step
            cfg.optim_wrapper.type = 'ViTPoseAmpOptimWrapper'
        elif optim_wrapper in ('OptimWrapper', 'AmpOptimWrapper'):
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        else:
            raise ValueError(
                '--amp needs OptimWrapper, AmpOptimWrapper, '
                'ViTPoseOptimWrapper or ViTPoseAmpOptimWrapper, the config '
                f'uses {optim_wrapper}')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise FileNotFoundError(f'--resume: no checkpoint at {args.resume}')
        cfg.resume = True
        cfg.load_from = args.resume

    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise KeyError('--auto-scale-lr needs auto_scale_lr='
                           'dict(base_batch_size=...) in the config')
        cfg.auto_scale_lr.enable = True

    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    if args.show_dir:
        cfg.default_hooks.visualization.enable = True
        cfg.default_hooks.visualization.out_dir = args.show_dir

    cfg.launcher = args.launcher
    return cfg


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file not found: {args.config}')
    cfg = Config.fromfile(args.config)
    merge_cfg_options(cfg, args.cfg_options)
    cfg = merge_args(cfg, args)

    runner = RUNNERS.build(cfg) if 'runner_type' in cfg \
        else ViTPoseRunner.from_cfg(cfg)
    if args.resume is not None and isinstance(runner, ViTPoseRunner):
        runner.checkpoint_option = '--resume'
    runner.train()


if __name__ == '__main__':
    main()
