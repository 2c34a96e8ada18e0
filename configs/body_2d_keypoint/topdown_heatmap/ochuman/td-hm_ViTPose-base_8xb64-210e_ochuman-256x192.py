# ViTPose-B trained on COCO (the COCO 256x192 recipe), evaluated on OCHuman
# (heavily occluded persons, GT boxes), as in the paper's OCHuman comparison.
# data_root points at OCHuman (the COCO training paths are fixed by the base).
# Train it like the COCO config, or test a COCO checkpoint directly:
#   tools/test.py THIS_CONFIG coco_vitpose_b.pth --cfg-options data_root=/path/to/ochuman/
_base_ = ['../coco/td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

data_root = 'data/ochuman/'
val_dataloader = dict(
    dataset=dict(
        type='OCHumanDataset',
        data_root=data_root,
        ann_file='annotations/ochuman_coco_format_val_range_0.00_1.00.json',
        bbox_file=None,
        data_prefix=dict(img='images/')))
test_dataloader = dict(
    dataset=dict(
        type='OCHumanDataset',
        data_root=data_root,
        ann_file='annotations/ochuman_coco_format_test_range_0.00_1.00.json',
        bbox_file=None,
        data_prefix=dict(img='images/')))
val_evaluator = dict(
    ann_file=data_root +
    'annotations/ochuman_coco_format_val_range_0.00_1.00.json')
test_evaluator = dict(
    ann_file=data_root +
    'annotations/ochuman_coco_format_test_range_0.00_1.00.json')
