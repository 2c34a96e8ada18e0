"""ViTPose for MMPose.

Importing this package registers its components into MMPose's registries:
``ViTPoseBackbone``, ``ViTPoseClassicHead``, ``ViTPoseSimpleHead``, the
distillation algorithms ``ViTPoseKnowledgeTokenTuner`` and
``ViTPoseTokenDistiller`` and ``ViTPoseMultiDatasetEstimator``
(``mmpose.registry.MODELS``), ``ViTPoseDatasetMixture``
(``mmpose.registry.DATASETS``), ``ViTPoseMultiDatasetEvaluator``
(``mmpose.registry.EVALUATORS``),
``ViTPoseLayerDecayConstructor``
(``mmpose.registry.OPTIM_WRAPPER_CONSTRUCTORS``), ``SyntheticCocoDataset``
(``mmpose.registry.DATASETS``), ``TorchRuntimeHook``
(``mmpose.registry.HOOKS``) and ``ViTPoseRunner``
(``mmpose.registry.RUNNERS``). Checkpoint tools live in
:mod:`vitpose_plugin.checkpoints`.
"""
# models first: checkpoints (used by the engine) builds on its layers.
from .models import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .engine import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .version import __version__

__all__ = ['__version__']
