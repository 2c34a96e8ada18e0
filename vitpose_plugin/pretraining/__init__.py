"""MAE pretraining of the ViTPose backbone on person crops (paper sec. 3.3,
4.2), driven by mmpretrain's ``MAE`` algorithm.

Importing this module (``custom_imports`` of the MAE configs) registers into
mmpretrain's registries: ``ViTPoseMAEViT``, ``ViTPoseMAEPretrainDecoder``,
``ViTPoseMAEPretrainHead`` (``MODELS``: MAE's encoder, decoder and head on
a non-square patch grid), ``ViTPosePersonCropDataset``,
``ViTPoseSyntheticPersonCropDataset`` (``DATASETS``),
``ViTPosePersonRandomResizedCrop`` and ``ViTPosePackImage``
(``TRANSFORMS``). The pretrained
checkpoint initialises ``ViTPoseBackbone`` through ``init_cfg`` (layout
``mae_mmpretrain``). See ``docs/mae_pretraining.md``.
"""
from .mae_decoder import ViTPoseMAEPretrainDecoder
from .mae_head import ViTPoseMAEPretrainHead
from .mae_vit import ViTPoseMAEViT
from .pack_image import ViTPosePackImage
from .person_crop_dataset import ViTPosePersonCropDataset, person_region
from .person_random_resized_crop import ViTPosePersonRandomResizedCrop
from .sincos_pos_embed import sincos_pos_embed
from .synthetic_person_crop_dataset import ViTPoseSyntheticPersonCropDataset

__all__ = [
    'ViTPoseMAEPretrainDecoder', 'ViTPoseMAEPretrainHead', 'ViTPoseMAEViT',
    'ViTPosePackImage', 'ViTPosePersonCropDataset',
    'ViTPosePersonRandomResizedCrop',
    'ViTPoseSyntheticPersonCropDataset', 'person_region',
    'sincos_pos_embed'
]
