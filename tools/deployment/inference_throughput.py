"""Inference speed of a top-down ViTPose model on this machine.

End to end (default): persons/s over the sample images, timing image
decoding, the affine crops, the model (all persons of an image in one
batch, flip test as the config sets it), heatmap decoding and the mapping
back to the image:

    python tools/deployment/inference_throughput.py CONFIG \
        [--checkpoint CKPT] \
        [--images data/sample_coco] [--ann data/sample_coco/test_coco.json] \
        [--compile] [--device cpu] [--repeats 3]

Model only (``--model-only``): crops/s of the network (normalisation,
backbone, head) in PyTorch and, with ``--onnx MODEL.onnx``, in onnxruntime,
on random crops of ``--batch-size``:

    python tools/deployment/inference_throughput.py CONFIG --model-only \
        --batch-size 8 --onnx model.onnx

Prints one JSON line per measurement.
"""
import argparse
import json
import os.path as osp
import platform
import sys
import time
from typing import Callable, Dict, List, Optional, Tuple

import cv2
import numpy as np
import torch
from mmpose.apis import inference_topdown

from vitpose_plugin.apis import init_pose_model
from vitpose_plugin.deployment import (INPUT_NAME, ViTPoseExportModel,
                                       input_hw, onnx_session)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Inference throughput of a top-down ViTPose model')
    parser.add_argument('config', help='pose model config file')
    parser.add_argument('--checkpoint', default=None,
                        help='checkpoint (default: random weights; the '
                        'speed is the same)')
    parser.add_argument('--dataset', default=None,
                        help='head of a multi-dataset model')
    parser.add_argument('--images', default='data/sample_coco',
                        help='folder of the images (default: '
                        'data/sample_coco)')
    parser.add_argument('--ann', default='data/sample_coco/test_coco.json',
                        help='COCO annotations whose person boxes are used')
    parser.add_argument('--compile', action='store_true',
                        help='torch.compile the backbone and head')
    parser.add_argument('--compile-backend', default='inductor',
                        help='torch.compile backend (default: inductor)')
    parser.add_argument('--no-flip', action='store_true',
                        help='turn the config\'s flip test off')
    parser.add_argument('--device', default='cpu', help='default: cpu')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch / onnxruntime intra-op threads '
                        '(default: their own choice)')
    parser.add_argument('--warmup', type=int, default=1,
                        help='untimed passes first (default: 1)')
    parser.add_argument('--repeats', type=int, default=3,
                        help='timed passes (default: 3)')
    parser.add_argument('--model-only', action='store_true',
                        help='time the network on random crops')
    parser.add_argument('--batch-size', type=int, default=8,
                        help='crops per forward with --model-only '
                        '(default: 8)')
    parser.add_argument('--onnx', default=None,
                        help='also time this ONNX export (--model-only)')
    args = parser.parse_args(argv)
    if args.onnx and not args.model_only:
        parser.error('--onnx times the network only: add --model-only')
    if args.warmup < 0 or args.repeats < 1 or args.batch_size < 1:
        parser.error('--warmup >= 0, --repeats >= 1 and --batch-size >= 1')
    return args


def person_boxes(ann_file: str, folder: str) -> List[Tuple[str, np.ndarray]]:
    """(image path, (N, 4) xyxy person boxes) of every annotated image."""
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'no annotation file at '
                                f'{osp.abspath(ann_file)}')
    with open(ann_file) as f:
        coco = json.load(f)
    boxes: Dict[int, list] = {}
    for ann in coco.get('annotations', []):
        if ann.get('category_id', 1) == 1 and not ann.get('iscrowd', 0):
            x, y, w, h = ann['bbox']
            boxes.setdefault(ann['image_id'], []).append([x, y, x + w, y + h])
    images = []
    for image in coco.get('images', []):
        if image['id'] in boxes:
            path = osp.join(folder, osp.basename(image['file_name']))
            if not osp.isfile(path):
                raise FileNotFoundError(f'{ann_file} lists {path}, which '
                                        f'does not exist')
            images.append((path, np.asarray(boxes[image['id']], np.float32)))
    if not images:
        raise ValueError(f'{ann_file} has no person boxes')
    return images


def timed(step: Callable[[], int], warmup: int, repeats: int,
          sync: Callable[[], None]) -> Tuple[float, int]:
    """(seconds, items) of ``repeats`` calls of ``step`` after ``warmup``."""
    for _ in range(warmup):
        step()
    sync()
    start, items = time.perf_counter(), 0
    for _ in range(repeats):
        items += step()
    sync()
    return time.perf_counter() - start, items


def machine() -> str:
    """CPU model and core count, or the GPU name."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            names = [line.split(':', 1)[1].strip() for line in f
                     if line.startswith('model name')]
        cpu = f'{names[0]} x {len(names)}' if names else cpu
    except OSError:
        pass
    return cpu


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg_options = {'model.test_cfg.flip_test': False} if args.no_flip \
        else None
    model = init_pose_model(args.config, args.checkpoint, args.device,
                            cfg_options, args.dataset)
    if args.compile:
        model.backbone.compile(backend=args.compile_backend)
        model.head.compile(backend=args.compile_backend)
    sync = torch.cuda.synchronize if args.device.startswith('cuda') \
        else (lambda: None)
    device = torch.cuda.get_device_name(args.device) \
        if args.device.startswith('cuda') else machine()
    common = dict(config=osp.basename(args.config), device=device,
                  torch_threads=torch.get_num_threads(),
                  compile=args.compile and args.compile_backend)
    if not args.model_only:
        images = person_boxes(args.ann, args.images)

        def one_pass() -> int:
            persons = 0
            for path, boxes in images:
                image = cv2.imread(path)
                persons += len(inference_topdown(model, image, boxes))
            return persons

        seconds, persons = timed(one_pass, args.warmup, args.repeats, sync)
        print(json.dumps(dict(
            common, mode='end-to-end', images=len(images) * args.repeats,
            persons=persons, flip_test=bool(
                model.test_cfg.get('flip_test', False)),
            persons_per_s=round(persons / seconds, 2))))
        return 0
    height, width = input_hw(model)
    wrapper = ViTPoseExportModel(model).to(args.device).eval()
    crops = torch.rand(args.batch_size, 3, height, width,
                       device=args.device) * 255

    def torch_step() -> int:
        with torch.no_grad():
            wrapper(crops)
        return args.batch_size

    seconds, count = timed(torch_step, args.warmup, args.repeats, sync)
    print(json.dumps(dict(common, mode='model-only', backend='pytorch',
                          batch_size=args.batch_size,
                          img_per_s=round(count / seconds, 2))))
    if args.onnx:
        session = onnx_session(args.onnx, args.threads)
        feed = {INPUT_NAME: crops.cpu().numpy()}

        def onnx_step() -> int:
            session.run(None, feed)
            return args.batch_size

        seconds, count = timed(onnx_step, args.warmup, args.repeats,
                               lambda: None)
        print(json.dumps(dict(common, mode='model-only',
                              backend='onnxruntime', compile=False,
                              device=machine(),
                              batch_size=args.batch_size,
                              img_per_s=round(count / seconds, 2))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
