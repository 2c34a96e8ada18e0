# Multi-task ViTPose-B (paper sec. 4.6) on COCO + AI Challenger + MPII +
# CrowdPose: the COCO + AIC + MPII config with a CrowdPose head (14
# keypoints) and CrowdPose trainval added to the mixture; same recipe.
# Published: COCO val AP 77.5, CrowdPose test AP 74.7. Val/test report
# coco/AP, aic/AP, mpii/PCK and crowdpose/AP (crowd-aware OKS AP on the
# CrowdPose test split); the best checkpoint is kept by coco/AP.
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-aic-mpii-256x192.py']

dataset_names = [*_base_.dataset_names, 'crowdpose']
train_dataloader = dict(
    dataset=dict(
        datasets=[*_base_.train_dataloader.dataset.datasets,
                  _base_.crowdpose_train],
        names=dataset_names))
val_dataloader = dict(
    dataset=dict(
        datasets=[*_base_.val_dataloader.dataset.datasets,
                  _base_.crowdpose_val],
        names=dataset_names))
test_dataloader = val_dataloader
val_evaluator = dict(metrics=dict(crowdpose=_base_.crowdpose_metric))
test_evaluator = val_evaluator
model = dict(
    heads=dict(
        crowdpose=dict(
            _base_.model.heads.coco,
            out_channels=_base_.num_keypoints.crowdpose)))
