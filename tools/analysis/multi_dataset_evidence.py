"""Multi-dataset evidence on the CPU learnability benchmark
(docs/multi_dataset.md): trains the synthetic coco / aic / mpii datasets
alone, jointly with per-dataset heads and jointly with expert FFNs, at one
budget and seed per run, tests each final checkpoint with
``tools/test.py`` (the configs as they are now) and prints per-dataset AP.

    python tools/analysis/multi_dataset_evidence.py --seeds 0 [--work-root W]
    python tools/analysis/multi_dataset_evidence.py --seeds 0 1 --table-only

Runs and tests already finished under the work root are not repeated. Two
seeds can run side by side (one process each, one core each) with
``--num-workers 0``.
"""
import argparse
import glob
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(ROOT, 'configs', 'vitpose_synthetic')
DATASETS = ('coco', 'aic', 'mpii')
#: run name -> (config file, datasets it is evaluated on)
RUNS = {
    'experts':
    ('td-hm_ViTPose-tiny-experts_synthetic-coco-aic-mpii-128x96.py',
     DATASETS),
    'heads':
    ('td-hm_ViTPose-tiny-multi-head_synthetic-coco-aic-mpii-128x96.py',
     DATASETS),
    'heads-3x':
    ('td-hm_ViTPose-tiny-multi-head-3x_synthetic-coco-aic-mpii-128x96.py',
     DATASETS),
    'experts-3x':
    ('td-hm_ViTPose-tiny-experts-3x_synthetic-coco-aic-mpii-128x96.py',
     DATASETS),
    'coco': ('td-hm_ViTPose-tiny_synthetic-coco-128x96.py', ('coco', )),
    'aic': ('td-hm_ViTPose-tiny_synthetic-aic-128x96.py', ('aic', )),
    'aic-3x': ('td-hm_ViTPose-tiny_synthetic-aic-3x-128x96.py', ('aic', )),
    'mpii': ('td-hm_ViTPose-tiny_synthetic-mpii-128x96.py', ('mpii', )),
}
ROWS = (('alone', None), ('alone, 3x budget', '{dataset}-3x'),
        ('joint, per-dataset heads', 'heads'),
        ('joint, heads + expert FFNs', 'experts'),
        ('joint, heads, 3x budget', 'heads-3x'),
        ('joint, experts, 3x budget', 'experts-3x'))


def work_dir(work_root: str, seed: int, run: str) -> str:
    return osp.join(work_root, f'seed{seed}', run)


def final_metrics(run_dir: str) -> Optional[Dict[str, float]]:
    """The last validation scalars of a finished run, or None."""
    files = sorted(glob.glob(osp.join(run_dir, '*', 'vis_data',
                                      'scalars.json')))
    for path in reversed(files):
        with open(path) as f:
            records = [json.loads(line) for line in f if line.strip()]
        val = [r for r in records if any(k.endswith('/AP') for k in r)]
        if val:
            return val[-1]
    return None


def loader_options(num_workers: Optional[int]) -> List[str]:
    """``--cfg-options`` that set every loader's worker count."""
    options: List[str] = []
    if num_workers is not None:
        for split in ('train', 'val', 'test'):
            options += [f'{split}_dataloader.num_workers={num_workers}',
                        f'{split}_dataloader.persistent_workers='
                        f'{num_workers > 0}']
    return options


def run_tool(cmd: List[str], log_file: str) -> None:
    """Run a tool of this checkout (its package, even where an older copy
    is installed), output to ``log_file``."""
    env = dict(os.environ)
    env.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (ROOT, env.get('PYTHONPATH')) if p)
    with open(log_file, 'w') as log:
        subprocess.run([sys.executable, *cmd], cwd=ROOT, env=env,
                       stdout=log, stderr=subprocess.STDOUT, check=True)


def train(run: str, seed: int, work_root: str, num_workers: Optional[int]
          ) -> float:
    """Train one run (skipped when finished); returns its wall seconds."""
    config, _ = RUNS[run]
    out = work_dir(work_root, seed, run)
    wall_file = osp.join(out, 'wall_s.txt')
    if final_metrics(out) is not None and osp.isfile(wall_file):
        with open(wall_file) as f:
            return float(f.read())
    os.makedirs(out, exist_ok=True)
    options = [f'randomness.seed={seed}'] + loader_options(num_workers)
    cmd = [osp.join(ROOT, 'tools', 'train.py'),
           osp.join(CONFIG_DIR, config), '--work-dir', out,
           '--cfg-options', *options]
    print(f'[seed {seed}] {run}: python {" ".join(cmd)}', flush=True)
    start = time.time()
    run_tool(cmd, osp.join(out, 'train.log'))
    wall = time.time() - start
    with open(wall_file, 'w') as f:
        f.write(f'{wall:.1f}')
    print(f'[seed {seed}] {run}: {wall / 60:.1f} min', flush=True)
    return wall


def evaluate(run: str, seed: int, work_root: str,
             num_workers: Optional[int]) -> Dict[str, float]:
    """Test the run's final checkpoint with the config as it is now;
    the metrics are kept in ``test_metrics.json`` of the run."""
    config, _ = RUNS[run]
    out = work_dir(work_root, seed, run)
    metrics_file = osp.join(out, 'test_metrics.json')
    if osp.isfile(metrics_file):
        with open(metrics_file) as f:
            return json.load(f)
    with open(osp.join(out, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    test_dir = osp.join(out, 'test')
    cmd = [osp.join(ROOT, 'tools', 'test.py'),
           osp.join(CONFIG_DIR, config), checkpoint, '--work-dir', test_dir]
    options = loader_options(num_workers)
    if options:
        cmd += ['--cfg-options', *options]
    print(f'[seed {seed}] {run}: python {" ".join(cmd)}', flush=True)
    os.makedirs(test_dir, exist_ok=True)
    run_tool(cmd, osp.join(out, 'test.log'))
    logs = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    with open(logs[-1]) as f:
        metrics = json.load(f)
    with open(metrics_file, 'w') as f:
        json.dump(metrics, f, indent=1)
    return metrics


def ap(work_root: str, seed: int, run: str, dataset: str
       ) -> Optional[float]:
    """The tested AP (or, before the test, the final val AP)."""
    out = work_dir(work_root, seed, run)
    metrics_file = osp.join(out, 'test_metrics.json')
    if osp.isfile(metrics_file):
        with open(metrics_file) as f:
            metrics = json.load(f)
    else:
        metrics = final_metrics(out)
    if metrics is None:
        return None
    return metrics.get(f'{dataset}/AP')


def table(work_root: str, seeds: Sequence[int]) -> str:
    """Markdown: per dataset and setting, AP per seed and the mean."""
    head = ['setting'] + [
        f'{dataset} (seed {s})' for dataset in DATASETS for s in seeds
    ]
    if len(seeds) > 1:
        head = ['setting'] + [
            col for dataset in DATASETS
            for col in [f'{dataset} s{s}' for s in seeds] +
            [f'{dataset} mean']
        ]
    lines = ['| ' + ' | '.join(head) + ' |',
             '| ' + ' | '.join(['---'] * len(head)) + ' |']
    for label, run in ROWS:
        cells: List[str] = [label]
        for dataset in DATASETS:
            name = (run or dataset).format(dataset=dataset)
            values = [ap(work_root, s, name, dataset) for s in seeds]
            cells += ['-' if v is None else f'{v:.3f}' for v in values]
            if len(seeds) > 1:
                done = [v for v in values if v is not None]
                cells.append(f'{statistics.mean(done):.3f}'
                             if len(done) == len(values) else '-')
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines += ['', '| run | ' + ' | '.join(f'seed {s} wall (min)'
                                          for s in seeds) + ' |',
              '| --- | ' + ' | '.join('---' for _ in seeds) + ' |']
    for run in RUNS:
        walls = []
        for s in seeds:
            path = osp.join(work_dir(work_root, s, run), 'wall_s.txt')
            walls.append(f'{float(open(path).read()) / 60:.1f}'
                         if osp.isfile(path) else '-')
        lines.append(f'| {run} | ' + ' | '.join(walls) + ' |')
    return '\n'.join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--work-root',
                        default=osp.join(ROOT, 'work_dirs',
                                         'multi_dataset_evidence'))
    parser.add_argument('--runs', nargs='+', choices=list(RUNS),
                        default=list(RUNS))
    parser.add_argument('--num-workers', type=int, default=None,
                        help='data-loader workers of every run (the '
                        'configs use 1)')
    parser.add_argument('--table-only', action='store_true',
                        help='print the table of finished runs only')
    args = parser.parse_args()
    if not args.table_only:
        for seed in args.seeds:
            for run in args.runs:
                train(run, seed, args.work_root, args.num_workers)
                evaluate(run, seed, args.work_root, args.num_workers)
    print(table(args.work_root, args.seeds))


if __name__ == '__main__':
    main()
