# Stage 1 on the CPU learnability benchmark: tune one knowledge token of the
# frozen teacher, the learnability recipe (128 x 4). Train the teacher and put
# its checkpoint where this config expects it, from the repository root:
#   python tools/train.py configs/vitpose_synthetic/td-hm_ViTPose-tiny_synthetic-128x96.py
#   mkdir -p checkpoints && cp work_dirs/td-hm_ViTPose-tiny_synthetic-128x96/epoch_5.pth \
#       checkpoints/td-hm_ViTPose-tiny_synthetic-128x96.pth
# (or override model.teacher_checkpoint). Then extract the teacher with its
# token for stage 2 (td-hm_ViTPose-tiny-to-nano-distill_*):
#   python tools/model_converters/extract_teacher.py WORK_DIR/epoch_1.pth \
#       checkpoints/td-hm_ViTPose-tiny-knowledge-token_synthetic-128x96.pth
_base_ = ['../vitpose_synthetic/td-hm_ViTPose-tiny_synthetic-128x96.py']

max_epochs = 1
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# Only the token trains: plain AdamW, no layer decay, no weight decay.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999),
                   weight_decay=0.0),
    clip_grad=dict(max_norm=1.0, norm_type=2))
# One epoch of batch 8 at a constant learning rate.
train_dataloader = dict(batch_size=8)
param_scheduler = []
default_hooks = dict(checkpoint=dict(interval=max_epochs))

model = dict(
    _delete_=True,
    type='ViTPoseKnowledgeTokenTuner',
    teacher={{_base_.model}},
    # Absolute, or relative to this file's folder: never to the working
    # directory.
    teacher_checkpoint='{{ fileDirname }}/../../checkpoints/'
    'td-hm_ViTPose-tiny_synthetic-128x96.pth',
    knowledge_tokens=1)
