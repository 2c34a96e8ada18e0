"""Export a top-down ViTPose model to ONNX (MMPose's tool name).

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT \
        --output model.onnx [--force] \
        [--opset N] [--batch-size 1] [--static-batch] [--fp16] [--decode]
        [--dynamo]

Input ``crops`` (B, 3, H, W): person crops as MMPose's TopdownAffine gives
them (BGR, 0-255; normalisation is in the graph). Outputs ``heatmaps``
(B, K, h, w) and, with ``--decode``, ``keypoints`` (B, K, 2, crop pixels)
and ``scores`` (B, K). The export is checked with onnxruntime on a batch of
another size than the traced one (``--no-verify`` skips it). With
``--dynamo`` and a dynamic batch the traced example has at least 2 crops
(``torch.export`` would fix a batch of 1); the graph accepts batch 1. A
multi-dataset model is exported per dataset: ``--dataset NAME`` (its
experts fused into the FFN, its head), as
``python -m vitpose_plugin.checkpoints split`` would write it.

An existing ``--output`` (or its external data file ``<output>.data``,
written by ``--dynamo`` and for models over 2 GB) is refused before the
model is loaded, unless ``--force``; an output that is the config or the
checkpoint is always refused. The files are written through a temporary
folder beside them and moved into place once the export is complete.
"""
import argparse
import sys
from typing import List, Optional

from mmengine.config import DictAction
from mmengine.logging import print_log

from vitpose_plugin.apis import init_pose_model, split_model
from vitpose_plugin.checkpoints.files import (OutputPathError,
                                              check_output_path)
from vitpose_plugin.deployment import (compare_with_onnxruntime,
                                       default_opset, export_onnx,
                                       external_data_path, traced_batch_size)

#: Largest max |ONNX - PyTorch| of the heatmaps accepted by the check.
TOLERANCE = dict(fp32=1e-4, fp16=1e-2)


def build_parser() -> argparse.ArgumentParser:
    """The tool's command line."""
    parser = argparse.ArgumentParser(
        description='Export a top-down ViTPose model to ONNX')
    parser.add_argument('config', help='pose model config file')
    parser.add_argument('checkpoint', help='checkpoint file or URL')
    parser.add_argument('--output', default='model.onnx',
                        help='ONNX file to write (default: model.onnx)')
    parser.add_argument('--force', action='store_true',
                        help='replace an existing --output (and its '
                        '<output>.data)')
    parser.add_argument('--opset', type=int, default=None,
                        help='ONNX opset, 14-20; 18-20 with --dynamo '
                        '(default: 17 for TorchScript, 18 with --dynamo)')
    parser.add_argument('--batch-size', type=int, default=1,
                        help='batch of the traced example; at least 2 with '
                        '--dynamo and a dynamic batch (default: 1)')
    parser.add_argument('--static-batch', action='store_true',
                        help='fix the batch size (default: dynamic)')
    parser.add_argument('--fp16', action='store_true',
                        help='network in float16 (I/O stay float32)')
    parser.add_argument('--decode', action='store_true',
                        help='also output keypoints and scores decoded by '
                        "the config's codec (UDP or MSRA heatmaps)")
    parser.add_argument('--dynamo', action='store_true',
                        help='torch.export-based exporter (opset >= 18, '
                        'needs onnxscript); default: TorchScript-based')
    parser.add_argument('--dataset', default=None,
                        help='multi-dataset model: export this dataset\'s '
                        'model (experts fused, its head)')
    parser.add_argument('--no-verify', action='store_true',
                        help='skip the onnxruntime vs PyTorch check')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, KEY=VALUE')
    return parser


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse outputs that would destroy a file: the config or checkpoint,
    or an existing file without ``--force``.

    Raises:
        OutputPathError: see :func:`check_output_path`.
    """
    inputs = [args.config, args.checkpoint]
    check_output_path(args.output, inputs, args.force, option='--output')
    check_output_path(external_data_path(args.output), inputs, args.force,
                      option='the external data file of --output')


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        check_outputs(args)
    except OutputPathError as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    opset = default_opset(args.dynamo) if args.opset is None else args.opset
    model = init_pose_model(args.config, args.checkpoint, device='cpu',
                            cfg_options=args.cfg_options,
                            dataset=args.dataset)
    if args.dataset is not None:
        model = split_model(model, args.dataset)
    wrapper = export_onnx(model, args.output, opset=opset,
                          batch_size=args.batch_size,
                          dynamic_batch=not args.static_batch,
                          decode=args.decode, fp16=args.fp16,
                          dynamo=args.dynamo)
    print_log(f'wrote {args.output} (opset {opset}, '
              f'{"static" if args.static_batch else "dynamic"} batch, '
              f'{"fp16" if args.fp16 else "fp32"})', logger='current')
    if args.no_verify:
        return 0
    traced = traced_batch_size(args.batch_size, not args.static_batch,
                               args.dynamo)
    batch = traced if args.static_batch else traced + 1
    diffs = compare_with_onnxruntime(wrapper, args.output, batch_size=batch)
    tolerance = TOLERANCE['fp16' if args.fp16 else 'fp32']
    report = ', '.join(f'{name} {diff:.2e}' for name, diff in diffs.items())
    print_log(f'onnxruntime vs PyTorch, batch {batch}: max |diff| {report}',
              logger='current')
    if diffs['heatmaps'] > tolerance:
        print_log(f'heatmaps differ by more than {tolerance}',
                  logger='current', level=40)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
