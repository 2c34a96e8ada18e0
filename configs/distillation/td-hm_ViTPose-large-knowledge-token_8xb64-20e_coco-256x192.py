# Stage 1 of token distillation (paper sec. 3.4): a learnable knowledge token
# appended to the tokens of a trained, frozen ViTPose-L (classic decoder,
# COCO 256x192); only the token trains, against the ground-truth heatmaps.
# The paper gives no schedule for this stage; 20 epochs with AdamW is ours.
# Teacher weights: MMPose's ViTPose-L COCO model converted with
#   python tools/model_converters/mmpose_vitpose_to_plugin.py \
#       td-hm_ViTPose-large_8xb64-210e_coco-256x192-53609f55_20230314.pth \
#       checkpoints/td-hm_ViTPose-large_8xb64-210e_coco-256x192.pth
# (or --cfg-options model.teacher_checkpoint=/abs/path.pth). Afterwards:
#   python tools/model_converters/extract_teacher.py WORK_DIR/epoch_20.pth \
#       checkpoints/td-hm_ViTPose-large-knowledge-token_coco-256x192.pth
_base_ = ['../body_2d_keypoint/topdown_heatmap/coco/'
          'td-hm_ViTPose-large_8xb64-210e_coco-256x192.py']

max_epochs = 20
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
# Only the token trains: plain AdamW, no layer decay, no weight decay.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999),
                   weight_decay=0.0),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, T_max=max_epochs,
         eta_min=1e-6, by_epoch=True),
]

model = dict(
    _delete_=True,
    type='ViTPoseKnowledgeTokenTuner',
    teacher={{_base_.model}},
    # Absolute, or relative to this file's folder: never to the working
    # directory.
    teacher_checkpoint='{{ fileDirname }}/../../checkpoints/'
    'td-hm_ViTPose-large_8xb64-210e_coco-256x192.pth',
    knowledge_tokens=1)
