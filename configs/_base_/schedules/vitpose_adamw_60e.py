# The ViTPose recipe (AdamW lr 5e-4, wd 0.1, layer-wise lr decay, gradient
# clipping at 1.0, 500-iteration warm-up; vitpose_adamw_210e.py) on MMPose's
# face-landmark schedule (configs/face_2d_keypoint/topdown_heatmap/
# {wflw,300w,cofw}/td-hm_hrnetv2-w18_8xb64-60e_*: 60 epochs, steps at 40 and
# 55, validation every epoch).
_base_ = ['./vitpose_adamw_210e.py']

max_epochs = 60
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    _base_.param_scheduler[0],  # the warm-up
    dict(_base_.param_scheduler[1], end=max_epochs, milestones=[40, 55]),
]
