"""Throughput and peak memory of ViTPose (backbone + classic head), side by
side with MMPose 1.x's own ViTPose (``mmpretrain.VisionTransformer`` +
``HeatmapHead``) holding the same weights.

Both models are built in this process, the MMPose 1.x weights are converted
into the plugin's layout, and their fp32 heatmaps are asserted equal before
anything is timed. Timed runs alternate between the two implementations
(A B A B ...) so that machine-speed drift hits both alike; the ratio printed is
plugin / MMPose 1.x (> 1 means the plugin is faster or uses more memory).

Examples::

    python tools/analysis/benchmark.py --sizes base --batch 8
    python tools/analysis/benchmark.py --sizes small base large huge \
        --dtypes fp32 bf16 --modes infer train --batch 8
    python tools/analysis/benchmark.py --device cuda --batch 256 --dtypes bf16
    python tools/analysis/benchmark.py --device cuda --batch 256 --dtypes bf16 \
        --modes infer --compile

``--json`` is checked before anything is built: an existing file is refused
unless ``--force``; it is written atomically.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from vitpose_plugin.checkpoints.files import (check_output_path,
                                              dump_atomically)

DTYPES = {'fp32': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}
WIDTHS = {'small': 384, 'base': 768, 'large': 1024, 'huge': 1280}
DEPTHS = {'small': 12, 'base': 12, 'large': 24, 'huge': 32}
HEADS = {'small': 12, 'base': 12, 'large': 16, 'huge': 16}


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments (``sys.argv[1:]`` if ``argv`` is None)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', nargs='+', default=['base'],
                        choices=sorted(WIDTHS))
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--input-size', type=int, nargs=2,
                        default=(256, 192), metavar=('H', 'W'))
    parser.add_argument('--dtypes', nargs='+', default=['fp32', 'bf16'],
                        choices=sorted(DTYPES))
    parser.add_argument('--modes', nargs='+', default=['infer', 'train'],
                        choices=['infer', 'train'])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--rounds', type=int, default=5,
                        help='timed rounds per implementation (alternating)')
    parser.add_argument('--iters', type=int, default=2,
                        help='iterations per timed round')
    parser.add_argument('--compile', action='store_true',
                        help='torch.compile both models (nn.Module.compile) '
                        'before timing; compilation happens in warm-up')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the peak-memory measurements')
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument('--force', action='store_true',
                        help='replace an existing --json file; default: '
                        'refuse')
    parser.add_argument('--memory-probe', nargs=4, help=argparse.SUPPRESS,
                        metavar=('IMPL', 'SIZE', 'MODE', 'DTYPE'))
    return parser.parse_args(argv)


class BackboneAndHead(nn.Module):
    """Images -> heatmaps, for either implementation."""

    def __init__(self, backbone: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.backbone, self.head = backbone, head

    def forward(self, images: Tensor) -> Tensor:
        return self.head(self.backbone(images))


def build_mmpose(size: str, input_size: Tuple[int, int]) -> BackboneAndHead:
    """MMPose 1.x's ViTPose, as in its td-hm_ViTPose-* configs."""
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    backbone = MODELS.build(
        dict(
            type='mmpretrain.VisionTransformer',
            # as MMPose's configs: mmpretrain's own 'small' is another model
            arch=dict(
                embed_dims=WIDTHS[size],
                num_layers=DEPTHS[size],
                num_heads=HEADS[size],
                feedforward_channels=4 * WIDTHS[size]),
            img_size=input_size,
            patch_size=16,
            qkv_bias=True,
            with_cls_token=False,
            out_type='featmap',
            patch_cfg=dict(padding=2)))
    head = MODELS.build(
        dict(
            type='HeatmapHead',
            in_channels=WIDTHS[size],
            out_channels=17,
            deconv_out_channels=(256, 256),
            deconv_kernel_sizes=(4, 4)))
    return BackboneAndHead(backbone, head)


def build_plugin(size: str, input_size: Tuple[int, int]) -> BackboneAndHead:
    from vitpose_plugin.models import ViTPoseBackbone, ViTPoseClassicHead
    return BackboneAndHead(
        ViTPoseBackbone(arch=size, img_size=input_size),
        ViTPoseClassicHead(in_channels=WIDTHS[size], out_channels=17))


def build_pair(size: str, input_size: Tuple[int, int],
               device: str) -> Dict[str, BackboneAndHead]:
    """Both implementations with identical weights, checked equal."""
    from vitpose_plugin.checkpoints import convert_checkpoint
    torch.manual_seed(0)
    mmpose = build_mmpose(size, input_size).eval()
    plugin = build_plugin(size, input_size).eval()
    state = convert_checkpoint(
        mmpose.state_dict(), layout='mmpose_vitpose').state_dict
    plugin.load_state_dict(state, strict=True)
    mmpose.to(device), plugin.to(device)
    images = torch.rand(2, 3, *input_size, device=device)
    with torch.no_grad():
        diff = (mmpose(images) - plugin(images)).abs().max().item()
    if diff > 1e-4:
        raise AssertionError(f'{size}: heatmaps differ by {diff:.2e}')
    return dict(plugin=plugin, mmpose=mmpose)


def make_step(model: nn.Module, mode: str, dtype: str, device: str,
              images: Tensor) -> Callable[[], Tensor]:
    autocast_dtype = DTYPES[dtype]
    device_type = torch.device(device).type

    def forward() -> Tensor:
        with torch.autocast(device_type, dtype=autocast_dtype,
                            enabled=autocast_dtype is not None):
            return model(images)

    if mode == 'infer':
        model.eval()

        def infer() -> Tensor:
            with torch.no_grad():
                return forward()
        return infer

    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-6)
    scaler = torch.amp.GradScaler(device_type,
                                  enabled=autocast_dtype == torch.float16)
    target = None

    def train() -> Tensor:
        nonlocal target
        heatmaps = forward()
        if target is None:
            target = torch.rand_like(heatmaps, dtype=torch.float32)
        loss = (heatmaps.float() - target).square().mean()
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        return loss
    return train


def synchronize(device: str) -> None:
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()


def time_pair(models: Dict[str, nn.Module], mode: str, dtype: str,
              args: argparse.Namespace) -> Dict[str, float]:
    """Median images/s of each implementation over alternating rounds."""
    images = torch.rand(args.batch, 3, *args.input_size, device=args.device)
    steps = {name: make_step(model, mode, dtype, args.device, images)
             for name, model in models.items()}
    for step in steps.values():  # warm-up (autotuning, allocator)
        step()
    synchronize(args.device)
    rates: Dict[str, List[float]] = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(args.iters):
                step()
            synchronize(args.device)
            rates[name].append(args.batch * args.iters /
                               (time.perf_counter() - start))
    return {name: statistics.median(r) for name, r in rates.items()}


def bf16_deviation(model: nn.Module, dtype: str,
                   args: argparse.Namespace) -> float:
    """Max |heatmap(dtype) - heatmap(fp32)| on random images."""
    model.eval()
    images = torch.rand(2, 3, *args.input_size, device=args.device)
    device_type = torch.device(args.device).type
    with torch.no_grad():
        reference = model(images)
        with torch.autocast(device_type, dtype=DTYPES[dtype]):
            low = model(images).float()
    return (low - reference).abs().max().item()


def peak_memory_mb(impl: str, size: str, mode: str, dtype: str,
                   args: argparse.Namespace) -> float:
    """Peak memory of one step, in MiB.

    On CUDA: the allocator's peak in this process. On CPU: a fresh process
    per measurement reports its peak resident memory minus its resident
    memory before the step, so allocator caches of one implementation cannot
    hide the other's use.
    """
    if torch.device(args.device).type == 'cuda':
        model = (build_plugin if impl == 'plugin' else build_mmpose)(
            size, tuple(args.input_size)).to(args.device)
        images = torch.rand(args.batch, 3, *args.input_size,
                            device=args.device)
        step = make_step(model, mode, dtype, args.device, images)
        step()
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        step()
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated() - base
        del model, step
        torch.cuda.empty_cache()
        return peak / 2**20
    command = [
        sys.executable, __file__, '--memory-probe', impl, size, mode, dtype,
        '--batch', str(args.batch), '--device', args.device, '--input-size',
        *map(str, args.input_size)
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True,
                         env=dict(os.environ))
    return float(out.stdout.strip().splitlines()[-1])


def memory_probe(args: argparse.Namespace) -> None:
    impl, size, mode, dtype = args.memory_probe
    model = (build_plugin if impl == 'plugin' else build_mmpose)(
        size, tuple(args.input_size))
    images = torch.rand(args.batch, 3, *args.input_size)
    step = make_step(model, mode, dtype, 'cpu', images)
    with open('/proc/self/statm') as f:
        resident_before = int(f.read().split()[1]) * os.sysconf('SC_PAGESIZE')
    step()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print((peak - resident_before) / 2**20)


def gflops_per_image(size: str, input_size: Tuple[int, int]) -> float:
    """Analytic multiply-adds x 2 of backbone + classic head, per image."""
    width = WIDTHS[size]
    depth = DEPTHS[size]
    rows = (input_size[0] + 4 - 16) // 16 + 1
    cols = (input_size[1] + 4 - 16) // 16 + 1
    tokens = rows * cols
    patch = tokens * width * 3 * 16 * 16
    block = 12 * tokens * width**2 + 2 * tokens**2 * width
    # a stride-2 4x4 deconvolution touches each input pixel with 16 taps
    head = (tokens * width * 256 * 16 + 4 * tokens * 256 * 256 * 16 +
            16 * tokens * 256 * 17)
    return 2 * (patch + depth * block + head) / 1e9


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Measure and print; see the module docstring.

    Raises:
        OutputPathError: an existing ``--json`` without ``--force``.
    """
    args = parse_args(argv)
    args.input_size = tuple(args.input_size)
    if args.memory_probe:
        memory_probe(args)
        return
    if args.json:
        check_output_path(args.json, overwrite=args.force, option='--json')
    torch.backends.cudnn.benchmark = True
    results = []
    print(f'device={args.device} batch={args.batch} input={args.input_size} '
          f'threads={torch.get_num_threads()} torch={torch.__version__}')
    header = (f'{"size":6} {"mode":5} {"dtype":5} {"plugin img/s":>12} '
              f'{"mmpose img/s":>12} {"ratio":>6} {"plugin MiB":>10} '
              f'{"mmpose MiB":>10} {"ratio":>6}')
    for size in args.sizes:
        models = build_pair(size, args.input_size, args.device)
        if args.compile:
            for model in models.values():
                model.compile()
        print(f'\n{size}: outputs equal (fp32, max diff < 1e-4); '
              f'{gflops_per_image(size, args.input_size):.1f} GFLOPs/image')
        print(header)
        for mode in args.modes:
            for dtype in args.dtypes:
                rates = time_pair(models, mode, dtype, args)
                row = dict(size=size, mode=mode, dtype=dtype,
                           plugin_img_s=rates['plugin'],
                           mmpose_img_s=rates['mmpose'],
                           speed_ratio=rates['plugin'] / rates['mmpose'])
                if not args.no_memory:
                    for impl in ('plugin', 'mmpose'):
                        row[f'{impl}_peak_mib'] = peak_memory_mb(
                            impl, size, mode, dtype, args)
                    row['memory_ratio'] = (row['plugin_peak_mib'] /
                                           row['mmpose_peak_mib'])
                if dtype != 'fp32' and mode == 'infer':
                    row['max_heatmap_dev_vs_fp32'] = bf16_deviation(
                        models['plugin'], dtype, args)
                results.append(row)
                memory = '' if args.no_memory else (
                    f' {row["plugin_peak_mib"]:>10.0f} '
                    f'{row["mmpose_peak_mib"]:>10.0f} '
                    f'{row["memory_ratio"]:>6.2f}')
                print(f'{size:6} {mode:5} {dtype:5} '
                      f'{rates["plugin"]:>12.2f} {rates["mmpose"]:>12.2f} '
                      f'{row["speed_ratio"]:>6.2f}{memory}')
        plugin_rows = {(r['mode'], r['dtype']): r for r in results
                       if r['size'] == size}
        for mode in args.modes:
            fp32 = plugin_rows.get((mode, 'fp32'))
            for dtype in ('bf16', 'fp16'):
                low = plugin_rows.get((mode, dtype))
                if fp32 and low:
                    print(f'{size} {mode}: plugin {dtype} / fp32 = '
                          f'{low["plugin_img_s"] / fp32["plugin_img_s"]:.2f}x'
                          + (f', max heatmap deviation '
                             f'{low["max_heatmap_dev_vs_fp32"]:.2e}'
                             if 'max_heatmap_dev_vs_fp32' in low else ''))
    if args.json:
        dump_atomically(results, args.json, file_format='json', indent=2)


if __name__ == '__main__':
    main()
