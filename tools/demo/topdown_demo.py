"""Top-down pose estimation on images, a folder or a video.

    python tools/demo/topdown_demo.py CONFIG CHECKPOINT --input IMG|DIR|VIDEO \
        --output-root OUT [--det-config DET_CFG --det-checkpoint DET_CKPT |
                           --det-json DETS.json [--det-images ANN.json]]
        [--dataset NAME] [--bbox-thr 0.3] [--kpt-thr 0.3] [--no-vis]
        [--track-by iou|oks] [--track-thr 0.3] [--smooth]

Person boxes come from an MMDetection model, a COCO detection-results file
(image ids from the annotation file or the numeric file names; frame
indices for a video), or else the whole frame is one person. All persons
of a frame go through the model in one batch. Writes the drawn frames
(images, or a video of the same frame rate) and ``predictions.json``
(MMPose's ``meta_info`` + ``instance_info`` per frame) under
``--output-root``, each file atomically; where one of them exists already,
the demo stops before loading the model unless ``--force`` (never over an
input). ``--dataset`` picks the head of a multi-dataset model.

On a video every person gets a track id (``track_id`` in the predictions,
drawn above its box): MMPose's greedy frame-to-frame matching on box IoU
or keypoint OKS (:class:`~vitpose_plugin.apis.PoseTracker`). ``--smooth``
filters each track's keypoints with a One Euro filter
(:class:`~vitpose_plugin.apis.KeypointSmoother`).
"""
import argparse
import json
import os
import os.path as osp
import sys
from contextlib import ExitStack
from typing import Any, Callable, Iterator, List, Optional, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.utils import ProgressBar
from mmpose.apis import inference_topdown
from mmpose.registry import VISUALIZERS
from mmpose.structures import merge_data_samples

from vitpose_plugin.apis import (TRACK_METHODS, KeypointSmoother,
                                 PoseTracker, coco_image_ids, detect_persons,
                                 image_id_from_name, init_person_detector,
                                 init_pose_model, load_detection_json)
from vitpose_plugin.checkpoints.files import (check_output_path,
                                              staged_output, write_atomically)
from vitpose_plugin.datasets.image_file import read_image, write_image

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif',
                    '.tiff')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v')
Frame = Tuple[str, int, np.ndarray]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Top-down ViTPose on images, a folder or a video')
    parser.add_argument('config', help='pose model config file')
    parser.add_argument('checkpoint', help='pose checkpoint file or URL')
    parser.add_argument('--input', required=True,
                        help='an image, a folder of images or a video')
    parser.add_argument('--output-root', required=True,
                        help='folder for drawn frames and predictions.json')
    parser.add_argument('--force', action='store_true',
                        help='replace files of those names in --output-root '
                        '(never an input); default: refuse')
    parser.add_argument('--dataset', default=None,
                        help='head of a multi-dataset model (e.g. coco)')
    boxes = parser.add_argument_group(
        'person boxes (default: the whole frame)')
    boxes.add_argument('--det-config', help='MMDetection config file')
    boxes.add_argument('--det-checkpoint', help='MMDetection checkpoint')
    boxes.add_argument('--det-cat-id', type=int, default=0,
                       help='person label of the detector (default: 0)')
    boxes.add_argument('--det-json',
                       help='COCO detection results (bbox x, y, w, h)')
    boxes.add_argument('--det-images',
                       help='COCO annotation file giving the image ids of '
                       'the input files (default: numeric file names)')
    boxes.add_argument('--det-json-cat-id', type=int, default=1,
                       help='person category in --det-json (default: 1)')
    parser.add_argument('--bbox-thr', type=float, default=0.3,
                        help='minimum box score (default: 0.3)')
    parser.add_argument('--nms-thr', type=float, default=0.3,
                        help='box NMS IoU of the detector (default: 0.3)')
    parser.add_argument('--kpt-thr', type=float, default=0.3,
                        help='minimum keypoint score to draw (default: 0.3)')
    parser.add_argument('--radius', type=int, default=3,
                        help='keypoint radius (default: 3)')
    parser.add_argument('--thickness', type=int, default=1,
                        help='limb thickness (default: 1)')
    parser.add_argument('--no-vis', action='store_true',
                        help='write predictions only')
    video = parser.add_argument_group('video: track ids and smoothing')
    video.add_argument('--track-by', choices=TRACK_METHODS, default='iou',
                       help='match persons between frames by box IoU or '
                       'keypoint OKS (default: iou)')
    video.add_argument('--track-thr', type=float, default=0.3,
                       help='least IoU/OKS that keeps a track id '
                       '(default: 0.3)')
    video.add_argument('--smooth', action='store_true',
                       help='One Euro filter on each track\'s keypoints')
    video.add_argument('--smooth-min-cutoff', type=float, default=1.0,
                       help='cut-off (Hz) of still keypoints: lower '
                       'smooths more (default: 1.0)')
    video.add_argument('--smooth-beta', type=float, default=0.01,
                       help='cut-off increase per pixel/s of speed: higher '
                       'lags less (default: 0.01)')
    parser.add_argument('--device', default='cpu',
                        help='device (default: cpu)')
    args = parser.parse_args(argv)
    if bool(args.det_config) != bool(args.det_checkpoint):
        parser.error('--det-config and --det-checkpoint go together')
    if args.det_config and args.det_json:
        parser.error('give a detector or --det-json, not both')
    if args.det_images and not args.det_json:
        parser.error('--det-images only applies with --det-json')
    return args


def folder_images(path: str) -> List[str]:
    """Names of the images in folder ``path``, sorted."""
    return sorted(n for n in os.listdir(path)
                  if n.lower().endswith(IMAGE_EXTENSIONS))


def open_input(path: str) -> Tuple[str, int, Iterator[Frame], float]:
    """(kind, frame count, frames as (name, index, BGR image), fps)."""
    if osp.isdir(path):
        names = folder_images(path)
        if not names:
            raise FileNotFoundError(f'no image ({", ".join(IMAGE_EXTENSIONS)})'
                                    f' in folder {osp.abspath(path)}')
        frames = ((n, i, read_image(osp.join(path, n)))
                  for i, n in enumerate(names))
        return 'images', len(names), frames, 0.
    if not osp.isfile(path):
        raise FileNotFoundError(f'no input file or folder at '
                                f'{osp.abspath(path)}')
    extension = osp.splitext(path)[1].lower()
    if extension in VIDEO_EXTENSIONS:
        video = mmcv.VideoReader(path)
        if not video.opened or video.frame_cnt == 0:
            raise ValueError(f'cannot read video {path}')
        name = osp.basename(path)
        frames = ((name, i, frame) for i, frame in enumerate(video)
                  if frame is not None)
        return 'video', video.frame_cnt, frames, video.fps
    if extension not in IMAGE_EXTENSIONS:
        raise ValueError(f'{path}: unknown input type {extension!r}; give '
                         f'an image {IMAGE_EXTENSIONS}, a video '
                         f'{VIDEO_EXTENSIONS} or a folder of images')
    return 'images', 1, iter([(osp.basename(path), 0, read_image(path))]), 0.


def drawn_files(path: str, kind: str) -> List[str]:
    """Names of the drawn frames' files under ``--output-root`` for input
    ``path`` of ``kind`` (see :func:`open_input`): the images' own names, or
    the video's with ``.mp4``."""
    if kind == 'video':
        return [osp.splitext(osp.basename(path))[0] + '.mp4']
    return folder_images(path) if osp.isdir(path) else [osp.basename(path)]


def check_outputs(args: argparse.Namespace, kind: str) -> None:
    """Refuse, before the model is loaded, to write over an input or, unless
    ``--force``, over an existing file of ``--output-root``.

    Raises:
        OutputPathError: see :func:`check_output_path` (the first such
            file).
    """
    images = [osp.join(args.input, name) for name in folder_images(
        args.input)] if osp.isdir(args.input) else [args.input]
    inputs = [args.config, args.checkpoint, args.det_json, args.det_images,
              *images]
    names = ['predictions.json']
    if not args.no_vis:
        names += drawn_files(args.input, kind)
    for name in names:
        check_output_path(osp.join(args.output_root, name),
                          [path for path in inputs if path], args.force,
                          option='--output-root')


def box_source(args: argparse.Namespace,
               kind: str) -> Callable[[str, int, np.ndarray], np.ndarray]:
    """A function (name, frame index, image) -> (N, 5) person boxes."""
    if args.det_config:
        detector = init_person_detector(args.det_config, args.det_checkpoint,
                                        args.device)
        return lambda name, index, image: detect_persons(
            detector, image, args.det_cat_id, args.bbox_thr, args.nms_thr)
    if args.det_json:
        detections = load_detection_json(args.det_json, args.det_json_cat_id)
        ids = coco_image_ids(args.det_images) if args.det_images else None

        def from_file(name: str, index: int, image: np.ndarray) -> np.ndarray:
            key = index if kind == 'video' else image_id_from_name(name, ids)
            boxes = detections.get(key, np.zeros((0, 5), np.float32))
            return boxes[boxes[:, 4] > args.bbox_thr]

        return from_file
    return lambda name, index, image: np.array(
        [[0, 0, image.shape[1], image.shape[0], 1]], dtype=np.float32)


def to_json(value: Any) -> Any:
    """numpy values (metainfo, predictions) as JSON values."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def frame_instances(results: list, boxes: np.ndarray) -> List[dict]:
    """JSON instances of one frame (with ``track_id`` where tracked)."""
    instances = []
    for r, box in zip(results, boxes):
        instance = dict(
            bbox=box[:4].tolist(), bbox_score=float(box[4]),
            keypoints=r.pred_instances.keypoints[0].tolist(),
            keypoint_scores=r.pred_instances.keypoint_scores[0].tolist())
        if 'track_id' in r:
            instance['track_id'] = int(r.track_id)
        instances.append(instance)
    return instances


def video_tracking(
    args: argparse.Namespace, dataset_meta: dict, fps: float
) -> Callable[[int, list], None]:
    """A function (frame index, the frame's poses) that sets each pose's
    ``track_id`` and, with ``--smooth``, smooths its keypoints."""
    sigmas = None
    if args.track_by == 'oks':
        sigmas = dataset_meta.get('sigmas')
        if sigmas is None or len(sigmas) != dataset_meta['num_keypoints']:
            raise ValueError(
                f"--track-by oks needs the OKS sigmas of the dataset "
                f"metainfo ({dataset_meta.get('dataset_name')}), which has "
                f'none; use --track-by iou')
    tracker = PoseTracker(args.track_by, args.track_thr, sigmas)
    smoother = KeypointSmoother(args.smooth_min_cutoff, args.smooth_beta) \
        if args.smooth else None

    def track(index: int, poses: list) -> None:
        ids = tracker.update(poses)
        if smoother is None:
            return
        smoother.keep_only(ids)
        for pose, track_id in zip(poses, ids):
            keypoints = pose.pred_instances.keypoints
            keypoints[0] = smoother(track_id, keypoints[0],
                                    index / (fps or 25.))

    return track


def draw_track_ids(image: np.ndarray, results: list) -> None:
    """Write each tracked pose's id above its box, in place."""
    for r in results:
        if 'track_id' not in r:
            continue
        x, y = r.pred_instances.bboxes[0, :2].astype(int)
        cv2.putText(image, f'id {r.track_id}', (int(x) + 2, max(int(y), 14)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 2,
                    cv2.LINE_AA)


def frame_writer(args: argparse.Namespace, kind: str, fps: float,
                 stack: ExitStack) -> Callable[[str, np.ndarray], None]:
    """A function (frame name, drawn BGR frame) that writes the frame under
    ``--output-root``: an image file each (:func:`write_image`), or the
    next frame of the video, which is written beside its final name and
    moved there when ``stack`` closes (:func:`staged_output`): a failed or
    killed run leaves an earlier file whole, never half a new one."""
    if kind != 'video':
        return lambda name, drawn: write_image(
            osp.join(args.output_root, name), drawn)
    writers = []

    def write_video_frame(name: str, drawn: np.ndarray) -> None:
        if not writers:
            [video_file] = drawn_files(args.input, kind)
            staged = stack.enter_context(
                staged_output(osp.join(args.output_root, video_file)))
            writers.append(cv2.VideoWriter(
                staged, cv2.VideoWriter_fourcc(*'mp4v'), fps or 25.,
                (drawn.shape[1], drawn.shape[0])))
            stack.callback(writers[0].release)  # before the move
        writers[0].write(drawn)

    return write_video_frame


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    kind, total, frames, fps = open_input(args.input)
    if args.smooth and kind != 'video':
        raise ValueError(f'--smooth filters keypoints along the tracks of a '
                         f'video; {args.input} is not a video')
    check_outputs(args, kind)
    model = init_pose_model(args.config, args.checkpoint, args.device,
                            dataset=args.dataset)
    boxes_of = box_source(args, kind)
    track = video_tracking(args, model.dataset_meta, fps) \
        if kind == 'video' else None
    os.makedirs(args.output_root, exist_ok=True)
    visualizer = None
    if not args.no_vis:
        visualizer = VISUALIZERS.build(
            model.cfg.get('visualizer', dict(type='PoseLocalVisualizer')))
        visualizer.set_dataset_meta(model.dataset_meta)
        visualizer.radius, visualizer.line_width = args.radius, args.thickness
    instance_info = []
    progress = ProgressBar(total)
    with ExitStack() as stack:
        save = frame_writer(args, kind, fps, stack)
        for name, index, image in frames:
            boxes = boxes_of(name, index, image)
            # One forward for every person of the frame.
            results = inference_topdown(model, image, boxes[:, :4]) \
                if len(boxes) else []
            if track is not None:
                track(index, results)
            entry = dict(frame_id=index) if kind == 'video' \
                else dict(image=name)
            entry['instances'] = frame_instances(results, boxes)
            instance_info.append(entry)
            if visualizer is not None:
                visualizer.add_datasample(
                    name, mmcv.bgr2rgb(image),
                    data_sample=merge_data_samples(results)
                    if results else None,
                    draw_gt=False, draw_bbox=True, kpt_thr=args.kpt_thr,
                    show=False)
                drawn = mmcv.rgb2bgr(visualizer.get_image())
                draw_track_ids(drawn, results)
                save(name, drawn)
            progress.update()
    # through a temporary file: a killed run never leaves half a JSON file
    predictions = json.dumps(dict(meta_info=to_json(model.dataset_meta),
                                  instance_info=instance_info)).encode()
    write_atomically(osp.join(args.output_root, 'predictions.json'),
                     lambda f: f.write(predictions))
    print(f'\n{len(instance_info)} frame(s), '
          f'{sum(len(e["instances"]) for e in instance_info)} person(s); '
          f'written to {args.output_root}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
