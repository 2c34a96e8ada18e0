"""ViTPose for MMPose.

Importing this package registers its components into MMPose's registries:
``ViTPoseBackbone``, ``ViTPoseClassicHead``, ``ViTPoseSimpleHead`` and the
distillation algorithms ``ViTPoseKnowledgeTokenTuner`` and
``ViTPoseTokenDistiller`` (``mmpose.registry.MODELS``),
``ViTPoseLayerDecayConstructor``
(``mmpose.registry.OPTIM_WRAPPER_CONSTRUCTORS``) and ``SyntheticCocoDataset``
(``mmpose.registry.DATASETS``).
"""
from .datasets import *  # noqa: F401,F403
from .engine import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .version import __version__

__all__ = ['__version__']
