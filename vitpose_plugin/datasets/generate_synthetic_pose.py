"""Generate the synthetic COCO-keypoint splits of a config, or one split.

    # every SyntheticCocoDataset in a config's train/val/test dataloaders
    python -m vitpose_plugin.datasets.generate_synthetic_pose \
        --config configs/vitpose_synthetic/CONFIG.py
    # one split with explicit parameters
    python -m vitpose_plugin.datasets.generate_synthetic_pose \
        --seed 0 --num-instances 2000 --name train \
        --cache-root data/synthetic_coco   # default: the user's cache

``python -m`` from the repository root runs the checkout's package, installed
or not; once installed, ``vitpose-generate-synthetic`` (console script) and
``tools/dataset_converters/generate_synthetic_pose.py`` (MMPose's layout) are
the same command.

Splits already in the cache are left alone. Training configs generate their
data on first use as well, so this is only needed to prepare data up front.
"""
import argparse
import os.path as osp
import sys
import time
from typing import List, Optional, Tuple

from mmengine.config import Config

from .synthetic_coco_dataset import resolve_cache_root
from .synthetic_pose import SyntheticPoseParams, ensure_synthetic_coco

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def splits_in_config(path: str) -> List[Tuple[str, str, SyntheticPoseParams]]:
    """``(cache_root, name, params)`` of each SyntheticCocoDataset in a config.

    Args:
        path (str): Config file.
    """
    cfg = Config.fromfile(path)
    splits = []
    for key in DATALOADERS:
        dataset = (cfg.get(key) or {}).get('dataset', {})
        if dataset.get('type') == 'SyntheticCocoDataset':
            split = (resolve_cache_root(dataset.get('cache_root')),
                     dataset.get('name', 'split'),
                     SyntheticPoseParams(**dataset.get('generator', {})))
            if split not in splits:
                splits.append(split)
    if not splits:
        raise ValueError(f'{path} has no SyntheticCocoDataset in '
                         f'{", ".join(DATALOADERS)}')
    return splits


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments (``sys.argv[1:]`` if ``argv`` is None)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', help='generate the splits of this config')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-instances', type=int, default=2000)
    parser.add_argument('--name', default='split',
                        help='readable prefix of the split directory')
    parser.add_argument(
        '--cache-root',
        help='directory of generated splits (default: the dataset\'s, '
        '~/.cache/vitpose_plugin/synthetic_coco)')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Generate the splits; print each one's directory.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        int: The exit status, 0.
    """
    args = parse_args(argv)
    if args.config:
        splits = splits_in_config(args.config)
    else:
        cache_root = None if args.cache_root is None \
            else osp.abspath(args.cache_root)
        splits = [(resolve_cache_root(cache_root), args.name,
                   SyntheticPoseParams(seed=args.seed,
                                       num_instances=args.num_instances))]
    for cache_root, name, params in splits:
        start = time.time()
        dataset_dir = osp.normpath(
            ensure_synthetic_coco(cache_root, params, name))
        seconds = time.time() - start
        print(f'{name}: {dataset_dir} (seed {params.seed}, '
              f'{params.num_instances} instances, {seconds:.1f} s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
