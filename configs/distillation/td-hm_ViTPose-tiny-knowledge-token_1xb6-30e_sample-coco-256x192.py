# Stage 1 on the CPU: tune one knowledge token of the frozen CPU teacher
# (td-hm_ViTPose-tiny-simple_*, 4 x 192). Train that teacher first, from the
# repository root:
#   python tools/train.py configs/distillation/td-hm_ViTPose-tiny-simple_1xb6-80e_sample-coco-256x192.py
# (or point model.teacher_checkpoint at it with --cfg-options). Then extract
# the teacher with its token for stage 2:
#   python tools/model_converters/extract_teacher.py WORK_DIR/epoch_30.pth \
#       checkpoints/td-hm_ViTPose-tiny-knowledge-token_sample-coco-256x192.pth
_base_ = ['./td-hm_ViTPose-tiny-simple_1xb6-80e_sample-coco-256x192.py']

max_epochs = 30
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# Only the token trains: plain AdamW, no layer decay, no weight decay.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999),
                   weight_decay=0.0),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, T_max=max_epochs,
         eta_min=1e-5, by_epoch=True),
]
default_hooks = dict(checkpoint=dict(interval=max_epochs))

model = dict(
    _delete_=True,
    type='ViTPoseKnowledgeTokenTuner',
    teacher={{_base_.model}},
    # Absolute, or relative to this file's folder: never to the working
    # directory.
    teacher_checkpoint='{{ fileDirname }}/../../work_dirs/'
    'td-hm_ViTPose-tiny-simple_1xb6-80e_sample-coco-256x192/epoch_80.pth',
    knowledge_tokens=1)
