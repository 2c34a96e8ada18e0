# InterHand2.6M hands, top-down at 256x192 with UDP heatmaps 64x48: the
# official ViTPose `interhand2d_all` split (train: annotations/all/train,
# val: annotations/machine_annot/val, test: annotations/all/test), PCK@0.2
# (box-normalised), AUC (0-30 px) and EPE, best checkpoint by AUC.
# MMPose 1.x reads InterHand2.6M 2D only with InterHand2DDoubleDataset: one
# sample per annotation with both hands' 42 keypoints (right 0-20, left
# 21-41; the invalid hand's keypoints are invisible) in the annotation's box.
# The official configs use MMPose 0.x's InterHand2DDataset instead (one
# sample per valid hand, 21 keypoints, box 1.5x the hand's keypoints), which
# MMPose 1.x does not have. Augmentation as the official configs: flip,
# rotation (factor 90 in MMPose 0.x, 180 in 1.x's units), scale 0.7-1.3, no
# half-body crops, no box shift. Point a config at your copy with
# --cfg-options data_root=/path/to/interhand2.6m/
_base_ = ['./coco_topdown_256x192.py']

dataset_type = 'InterHand2DDoubleDataset'
data_root = 'data/interhand2.6m/'

train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
    dict(
        type='ViTPoseRandomBBoxTransform',
        shift_prob=0,
        rotate_factor=180,
        scale_factor=(0.7, 1.3)),
    dict(
        type='ViTPoseTopdownAffine',
        input_size={{_base_.codec.input_size}},
        use_udp=True),
    dict(type='PackViTPoseInputs'),
]


def _split(annotations: str, split: str, test_mode: bool) -> dict:
    prefix = f'annotations/{annotations}/InterHand2.6M_{split}'
    return dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        data_mode='topdown',
        ann_file=f'{prefix}_data.json',
        camera_param_file=f'{prefix}_camera.json',
        joint_file=f'{prefix}_joint_3d.json',
        data_prefix=dict(img=f'images/{split}/'),
        test_mode=test_mode,
        pipeline=train_pipeline if not test_mode else {{_base_.val_pipeline}})


train_dataloader = dict(dataset=_split('all', 'train', False))
val_dataloader = dict(dataset=_split('machine_annot', 'val', True))
test_dataloader = dict(dataset=_split('all', 'test', True))

val_evaluator = [
    dict(type='PCKAccuracy', thr=0.2, norm_item='bbox'),
    dict(type='AUC', norm_factor=30),
    dict(type='EPE'),
]
test_evaluator = val_evaluator
