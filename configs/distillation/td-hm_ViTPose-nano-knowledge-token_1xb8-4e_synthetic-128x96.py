# The CPU student with one knowledge token: evaluates the checkpoint that
# tools/model_converters/extract_student.py extracts from a
# td-hm_ViTPose-tiny-to-nano-distill_* run (the token is kept frozen).
_base_ = ['./td-hm_ViTPose-nano_1xb8-4e_synthetic-128x96.py']

model = dict(
    backbone=dict(knowledge_tokens=1, freeze_knowledge_token=True))
