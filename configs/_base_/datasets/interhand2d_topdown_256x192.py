# InterHand2.6M hands, top-down at 256x192 with MSRA heatmaps 64x48, sigma 2
# and a non-UDP crop (msra_topdown_256x192.py), as the official configs: the
# official ViTPose `interhand2d_all` split (train: annotations/all/train,
# val: annotations/machine_annot/val, test: annotations/all/test), PCK@0.2
# (normalised by the hand's box), AUC (0-30 px) and EPE, best checkpoint by
# AUC. One sample per valid hand (more than 11 valid joints, none when the
# wrist is invalid) with its 21 keypoints and the tight box of its valid
# keypoints, padded 1.5x: MMPose 0.x's InterHand2DDataset of the official
# configs, here the plugin's InterHand2DSingleHandDataset (MMPose 1.x only
# has InterHand2DDoubleDataset: both hands, 42 keypoints, one sample per
# image). Augmentation as the official configs: flip, rotation (factor 90
# in MMPose 0.x, 180 in 1.x's units), scale 0.7-1.3, no half-body crops,
# no box shift (MMPose 0.x moved 30% of the training boxes once, at load
# time, which is no augmentation). Point a config at your copy with
# --cfg-options data_root=/path/to/interhand2.6m/
_base_ = ['./msra_topdown_256x192.py']

dataset_type = 'InterHand2DSingleHandDataset'
# the official box: 1.5x the tight box of the hand's keypoints
box_padding = 1.5
data_root = 'data/interhand2.6m/'

train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale', padding=box_padding),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
    dict(
        type='ViTPoseRandomBBoxTransform',
        shift_prob=0,
        rotate_factor=180,
        scale_factor=(0.7, 1.3)),
    dict(
        type='ViTPoseTopdownAffine',
        input_size={{_base_.codec.input_size}},
        use_udp=False),
    dict(type='PackViTPoseInputs'),
]
val_pipeline = [
    dict(step, padding=box_padding)
    if step['type'] == 'GetBBoxCenterScale' else step
    for step in _base_.val_pipeline
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
        pipeline=val_pipeline if test_mode else train_pipeline)


train_dataloader = dict(dataset=_split('all', 'train', False))
val_dataloader = dict(dataset=_split('machine_annot', 'val', True))
test_dataloader = dict(dataset=_split('all', 'test', True))

val_evaluator = [
    dict(type='PCKAccuracy', thr=0.2, norm_item='bbox'),
    dict(type='AUC', norm_factor=30),
    dict(type='EPE'),
]
test_evaluator = val_evaluator
