# ViTPose-B with one (frozen) knowledge token: the model that
# tools/model_converters/extract_student.py extracts from a
# td-hm_ViTPose-large-to-base-{,token-}distill_* run; test it with
#   python tools/test.py THIS_CONFIG student.pth
_base_ = ['../body_2d_keypoint/topdown_heatmap/coco/'
          'td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

model = dict(
    backbone=dict(
        knowledge_tokens=1, freeze_knowledge_token=True, init_cfg=None))
