"""tools/demo/topdown_demo.py on the sample images, a short video made from
them, a detector and a detection file; files of --output-root replaced only
with --force, inputs never."""
import json
import os.path as osp
import shutil
import subprocess
import sys

import cv2
import mmpose
import numpy as np
import pytest
import torch

from tests.apis.helpers import (SAMPLE_IMAGES, TINY_CONFIG, TINY_MULTI_CONFIG,
                                truncated_jpeg)
from tests.tools.helpers import REPO_ROOT, load_tool, run, tool_env
from vitpose_plugin.apis import init_pose_model, load_detection_json
from vitpose_plugin.checkpoints import save_checkpoint
from vitpose_plugin.checkpoints.files import OutputPathError

TOOL = 'tools/demo/topdown_demo.py'
DET_JSON = osp.join(REPO_ROOT, 'data', 'sample_coco',
                    'test_coco_det_AP_H_56.json')
DET_CONFIG = osp.join(osp.dirname(mmpose.__file__), '.mim', 'demo',
                      'mmdetection_cfg',
                      'rtmdet_nano_320-8xb32_coco-person.py')


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp('ckpt') / 'tiny.pth')
    torch.manual_seed(0)
    save_checkpoint(init_pose_model(TINY_CONFIG).state_dict(), path)
    return path


def read_predictions(root) -> dict:
    with open(osp.join(root, 'predictions.json')) as f:
        return json.load(f)


def test_folder_with_detection_file_one_batch_per_image(
        tiny_checkpoint, tmp_path, monkeypatch):
    demo = load_tool('topdown_demo', 'demo')
    batches = []
    build = demo.init_pose_model

    def counting_model(*args, **kwargs):
        model = build(*args, **kwargs)
        test_step = model.test_step
        model.test_step = lambda data: batches.append(
            len(data['inputs'])) or test_step(data)
        return model

    monkeypatch.setattr(demo, 'init_pose_model', counting_model)
    out = tmp_path / 'out'
    assert demo.main([TINY_CONFIG, tiny_checkpoint, '--input',
                      osp.dirname(SAMPLE_IMAGES[0]), '--output-root',
                      str(out), '--det-json', DET_JSON,
                      '--bbox-thr', '0.5']) == 0
    detections = load_detection_json(DET_JSON)
    expected = [int((detections[int(osp.basename(p)[:-4])][:, 4] > 0.5)
                    .sum()) for p in SAMPLE_IMAGES]
    # Every person of an image in one forward.
    assert batches == expected
    predictions = read_predictions(out)
    assert predictions['meta_info']['num_keypoints'] == 17
    frames = predictions['instance_info']
    assert [f['image'] for f in frames] == [osp.basename(p)
                                            for p in SAMPLE_IMAGES]
    assert [len(f['instances']) for f in frames] == expected
    for path in SAMPLE_IMAGES:
        drawn = cv2.imread(str(out / osp.basename(path)))
        assert drawn.shape == cv2.imread(path).shape
    # Batched predictions are the one-box-at-a-time ones.
    from mmpose.apis import inference_topdown
    model = init_pose_model(TINY_CONFIG, tiny_checkpoint)
    person = frames[1]['instances'][-1]
    [single] = inference_topdown(model, SAMPLE_IMAGES[1],
                                 np.array([person['bbox']], np.float32))
    np.testing.assert_allclose(single.pred_instances.keypoints[0],
                               person['keypoints'], rtol=1e-4, atol=0.05)


def test_video_multi_dataset_head_by_name(tmp_path):
    video = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 5,
                             (320, 240))
    for path in SAMPLE_IMAGES + SAMPLE_IMAGES[:2]:
        writer.write(cv2.resize(cv2.imread(path), (320, 240)))
    writer.release()
    torch.manual_seed(0)
    checkpoint = str(tmp_path / 'multi.pth')
    save_checkpoint(
        init_pose_model(TINY_MULTI_CONFIG, dataset='aic').state_dict(),
        checkpoint)
    out = tmp_path / 'out'
    proc = run([sys.executable, TOOL, TINY_MULTI_CONFIG, checkpoint,
                '--input', video, '--output-root', str(out), '--dataset',
                'aic'], cwd=REPO_ROOT, timeout=300)
    assert '6/6' in proc.stdout  # the progress bar
    predictions = read_predictions(out)
    assert predictions['meta_info']['num_keypoints'] == 14
    assert [f['frame_id'] for f in predictions['instance_info']] == \
        list(range(6))
    for frame in predictions['instance_info']:
        [person] = frame['instances']  # the whole frame
        assert person['bbox'] == [0, 0, 320, 240]
        assert len(person['keypoints']) == 14
    drawn = cv2.VideoCapture(str(out / 'clip.mp4'))
    assert int(drawn.get(cv2.CAP_PROP_FRAME_COUNT)) == 6
    assert int(drawn.get(cv2.CAP_PROP_FRAME_WIDTH)) == 320
    drawn.release()


def test_mmdetection_detector(tiny_checkpoint, tmp_path):
    from mmdet.apis import init_detector
    torch.manual_seed(0)
    detector = init_detector(DET_CONFIG, None, device='cpu')
    det_checkpoint = str(tmp_path / 'det.pth')
    save_checkpoint(detector.state_dict(), det_checkpoint)
    out = tmp_path / 'out'
    demo = load_tool('topdown_demo', 'demo')
    assert demo.main([TINY_CONFIG, tiny_checkpoint, '--input',
                      SAMPLE_IMAGES[0], '--output-root', str(out),
                      '--det-config', DET_CONFIG, '--det-checkpoint',
                      det_checkpoint, '--bbox-thr', '0', '--no-vis']) == 0
    [frame] = read_predictions(out)['instance_info']
    # Random detector weights: boxes of any score, after NMS.
    assert 0 < len(frame['instances']) <= 100
    assert not osp.exists(out / osp.basename(SAMPLE_IMAGES[0]))


def test_bad_inputs_are_named(tiny_checkpoint, tmp_path):
    demo = load_tool('topdown_demo', 'demo')
    folder = tmp_path / 'images'
    folder.mkdir()
    shutil.copy(SAMPLE_IMAGES[0], folder)
    (folder / 'broken.jpg').write_bytes(b'not a jpeg')
    common = [TINY_CONFIG, tiny_checkpoint, '--output-root',
              str(tmp_path / 'out'), '--no-vis']
    with pytest.raises(ValueError, match='cannot decode .*broken.jpg'):
        demo.main(common + ['--input', str(folder)])
    with pytest.raises(FileNotFoundError, match='no input file or folder'):
        demo.main(common + ['--input', str(tmp_path / 'absent')])
    shutil.copy(SAMPLE_IMAGES[0], tmp_path / 'person.jpg')
    with pytest.raises(KeyError, match='cannot tell the image id of person'):
        demo.main(common + ['--input', str(tmp_path / 'person.jpg'),
                            '--det-json', DET_JSON])
    with pytest.raises(ValueError, match='unknown input type'):
        demo.main(common + ['--input', DET_JSON])
    with pytest.raises(SystemExit):
        demo.main(common + ['--input', str(folder), '--det-config',
                            DET_CONFIG])


def test_truncated_image_is_unreadable(tiny_checkpoint, tmp_path):
    truncated = truncated_jpeg(tmp_path)
    out = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, TOOL, TINY_CONFIG, tiny_checkpoint, '--input',
         truncated, '--output-root', str(out)], cwd=REPO_ROOT,
        env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, timeout=300)
    assert proc.returncode != 0
    assert (f'cannot decode {truncated} (5000 bytes): not an image, '
            'truncated or corrupt') in proc.stderr
    assert not osp.exists(out / 'predictions.json')
    assert not osp.exists(out / 'truncated.jpg')


# A clip of persons cut from the sample images (their detection boxes),
# pasted on a grey frame: A walks right from the first frame, B enters at
# ENTERS, far from A. The detection file holds their pasted boxes.
FRAMES, ENTERS, PERSON = 8, 4, (60, 120)  # (w, h)


def person_crop(image_path: str) -> np.ndarray:
    image_id = int(osp.basename(image_path)[:-4])
    x1, y1, x2, y2 = load_detection_json(DET_JSON)[image_id][0, :4]
    crop = cv2.imread(image_path)[int(y1):int(y2), int(x1):int(x2)]
    return cv2.resize(crop, PERSON)


@pytest.fixture(scope='module')
def walking_clip(tmp_path_factory):
    """(video path, detection file path, {frame: [box A, box B...]})."""
    folder = tmp_path_factory.mktemp('clip')
    video, detections = str(folder / 'walk.mp4'), str(folder / 'walk.json')
    crops = [person_crop(SAMPLE_IMAGES[0]), person_crop(SAMPLE_IMAGES[1])]
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (320, 240))
    entries, boxes = [], {}
    for frame in range(FRAMES):
        image = np.full((240, 320, 3), 64, np.uint8)
        corners = [(20 + 8 * frame, 60)]  # A: 8 pixels per frame
        if frame >= ENTERS:
            corners.append((300 - PERSON[0] - 4 * (frame - ENTERS), 100))
        boxes[frame] = []
        for k, (x, y) in enumerate(corners):
            image[y:y + PERSON[1], x:x + PERSON[0]] = crops[k]
            entries.append(dict(image_id=frame, category_id=1,
                                bbox=[x, y, *PERSON], score=0.9 - 0.1 * k))
            boxes[frame].append([x, y, x + PERSON[0], y + PERSON[1]])
        writer.write(image)
    writer.release()
    with open(detections, 'w') as f:
        json.dump(entries, f)
    return video, detections, boxes


def run_on_clip(clip, checkpoint, out, *options) -> list:
    video, detections, _ = clip
    demo = load_tool('topdown_demo', 'demo')
    assert demo.main([TINY_CONFIG, checkpoint, '--input', video,
                      '--output-root', str(out), '--det-json', detections,
                      *options]) == 0
    return read_predictions(out)['instance_info']


def test_video_track_ids_stay_with_each_person(walking_clip, tiny_checkpoint,
                                               tmp_path):
    frames = run_on_clip(walking_clip, tiny_checkpoint, tmp_path / 'out')
    boxes = walking_clip[2]
    assert [[p['bbox'] for p in f['instances']] for f in frames] == \
        [boxes[k] for k in range(FRAMES)]
    # A keeps id 0 while walking; B gets a new id when it enters.
    assert [[p['track_id'] for p in f['instances']] for f in frames] == \
        [[0]] * ENTERS + [[0, 1]] * (FRAMES - ENTERS)
    # The id is drawn above each box (white on the grey frame).
    drawn = cv2.VideoCapture(str(tmp_path / 'out' / 'walk.mp4'))
    for _ in range(ENTERS + 1):
        ok, image = drawn.read()
    drawn.release()
    assert ok
    for x, y, _, _ in boxes[ENTERS]:
        assert (image[y - 14:y - 2, x:x + 40] > 200).sum() > 20
    raw = cv2.VideoCapture(walking_clip[0])
    for _ in range(ENTERS + 1):
        ok, image = raw.read()
    raw.release()
    x, y = boxes[ENTERS][0][:2]
    assert (image[y - 14:y - 2, x:x + 40] > 200).sum() == 0


def test_video_oks_tracking_and_smoothing(walking_clip, tiny_checkpoint,
                                          tmp_path):
    raw = run_on_clip(walking_clip, tiny_checkpoint, tmp_path / 'raw',
                      '--no-vis')
    smooth = run_on_clip(walking_clip, tiny_checkpoint, tmp_path / 'smooth',
                         '--no-vis', '--smooth', '--track-by', 'oks',
                         '--track-thr', '0.05')
    assert [[p['track_id'] for p in f['instances']] for f in smooth] == \
        [[0]] * ENTERS + [[0, 1]] * (FRAMES - ENTERS)

    def track(frames, k):
        return np.array([f['instances'][k]['keypoints'] for f in frames
                         if len(f['instances']) > k])

    # A track's first keypoints are the model's; later ones are filtered:
    # less frame-to-frame motion than the raw ones.
    for k, first in [(0, 0), (1, ENTERS)]:
        raw_track, smooth_track = track(raw, k), track(smooth, k)
        np.testing.assert_allclose(smooth_track[0], raw_track[0], atol=1e-4)
        assert not np.allclose(smooth_track[1:], raw_track[1:])
        assert np.abs(np.diff(smooth_track, axis=0)).mean() < \
            np.abs(np.diff(raw_track, axis=0)).mean()


def test_smoothing_needs_a_video(tiny_checkpoint, tmp_path):
    demo = load_tool('topdown_demo', 'demo')
    with pytest.raises(ValueError, match='--smooth .* is not a video'):
        demo.main([TINY_CONFIG, tiny_checkpoint, '--input',
                   SAMPLE_IMAGES[0], '--output-root', str(tmp_path),
                   '--smooth'])


def test_existing_outputs_are_refused_before_the_model_loads(tmp_path):
    demo = load_tool('topdown_demo', 'demo')
    images = tmp_path / 'images'
    images.mkdir()
    shutil.copy(SAMPLE_IMAGES[0], images)
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'predictions.json').write_text('{"earlier": 1}')
    # Neither the config nor the checkpoint exists: the refusal comes first.
    common = ['no_config.py', 'no_checkpoint.pth', '--input', str(images)]
    with pytest.raises(OutputPathError,
                       match=f'--output-root {out / "predictions.json"} '
                       'exists; refusing to overwrite it: choose another '
                       'output path or pass --force'):
        demo.main(common + ['--output-root', str(out)])
    assert (out / 'predictions.json').read_text() == '{"earlier": 1}'
    # The drawn images would replace the input images: never, even forced.
    with pytest.raises(OutputPathError, match='is the input file'):
        demo.main(common + ['--output-root', str(images), '--force'])


def test_force_replaces_earlier_outputs(tiny_checkpoint, tmp_path):
    demo = load_tool('topdown_demo', 'demo')
    out = tmp_path / 'out'
    out.mkdir()
    name = osp.basename(SAMPLE_IMAGES[0])
    for earlier in ('predictions.json', name):
        (out / earlier).write_bytes(b'an earlier run')
    assert demo.main([TINY_CONFIG, tiny_checkpoint, '--input',
                      SAMPLE_IMAGES[0], '--output-root', str(out),
                      '--force']) == 0
    assert read_predictions(out)['instance_info'][0]['image'] == name
    assert cv2.imread(str(out / name)).shape == \
        cv2.imread(SAMPLE_IMAGES[0]).shape
    assert sorted(p.name for p in out.iterdir()) == [name,
                                                     'predictions.json']
