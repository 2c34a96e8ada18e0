# ViTPose++-B (ViTPose++, the official ViTPose+ configs): one backbone for
# humans, whole bodies and animals, trained on COCO + AI Challenger + MPII +
# AP-10K + APT-36K + COCO-WholeBody at once, with the dataset experts of
# ViTPose++ in every FFN (fc2 keeps 768 - 192 shared outputs, each dataset's
# expert adds 192) and one classic decoder per dataset. The expert and head
# order is the official one: 0 coco, 1 aic, 2 mpii, 3 ap10k, 4 apt36k,
# 5 wholebody (official ViTPose+ checkpoints convert onto it with
# tools/model_converters/vitpose_plus_to_plugin.py).
# Published: COCO val AP 77.0 (AR 82.6), MPII PCKh 92.8, AIC AP 31.8,
# AP-10K 74.5, APT-36K 75.9, COCO-WholeBody 57.4 (OCHuman 82.6).
#
# Official recipe: AdamW lr 1e-3, betas (0.9, 0.999), wd 0.1, layer decay
# 0.75, warm-up 500 iterations, steps at 170/200 of 210 epochs, 128 per GPU
# x 8 with 8 workers, grad clip 1.0, drop path 0.3, on the plain
# concatenation of the six datasets. The backbone starts from MAE: every
# expert from the last 192 outputs of MAE's fc2 (the plugin's init_cfg does
# it). Unlike the official code, targets are not padded to 133 keypoints and
# each head runs on its own dataset's samples only; every dataset is trained
# with UDP targets (the official configs use non-UDP targets for AIC, AP-10K,
# APT-36K and COCO-WholeBody but decode every head with UDP); and val/test
# evaluate all six datasets (the official configs validate on COCO only):
# coco/AP, aic/AP, mpii/PCK, ap10k/AP, apt36k/AP, wholebody/AP... The best
# checkpoint is kept by coco/AP.
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-aic-mpii-256x192.py']

dataset_names = [*_base_.dataset_names, 'ap10k', 'apt36k', 'wholebody']
train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    dataset=dict(
        datasets=[
            *_base_.train_dataloader.dataset.datasets,
            _base_.ap10k_train, _base_.apt36k_train, _base_.wholebody_train
        ],
        names=dataset_names))
# Fixed per-dataset counts in every batch instead of plain concatenation
# (MMPose's sampler; example ratios, not from the paper):
# train_dataloader = dict(sampler=dict(_delete_=True,
#     type='MultiSourceSampler', batch_size=128,
#     source_ratio=[2, 2, 1, 1, 1, 1]))
val_dataloader = dict(
    dataset=dict(
        datasets=[
            *_base_.val_dataloader.dataset.datasets,
            _base_.ap10k_val, _base_.apt36k_val, _base_.wholebody_val
        ],
        names=dataset_names))
test_dataloader = val_dataloader
val_evaluator = dict(
    metrics=dict(
        ap10k=_base_.ap10k_metric,
        apt36k=_base_.apt36k_metric,
        wholebody=_base_.wholebody_metric))
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=1e-3))
auto_scale_lr = dict(base_batch_size=1024)

model = dict(
    backbone=dict(num_experts=6, expert_dims=192),
    heads={
        name: dict(
            _base_.model.heads.coco,
            out_channels=_base_.num_keypoints[name])
        for name in dataset_names[3:]
    })
