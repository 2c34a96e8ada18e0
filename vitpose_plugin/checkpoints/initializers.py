"""``init_cfg`` types that fill modules from checkpoint files.

They are registered in mmengine's ``WEIGHT_INITIALIZERS``, so a model
names them in its config (or builds them from that registry) and never
imports this package: the models know nothing of files and layouts.

- ``ViTPosePretrained``: a ``ViTPoseBackbone`` from any supported layout
  (:func:`~.loading.load_backbone`); ``ViTPoseBackbone`` also reads
  mmengine's spelling ``type='Pretrained'`` as this one;
- ``ViTPoseModelCheckpoint``: a whole plugin-layout model, strictly
  (:func:`~.loading.load_model`; the distillers' teacher and student);
- ``ViTPoseKnowledgeToken``: the tuned knowledge token t* of a stage-1
  checkpoint into a module's ``knowledge_token`` buffer
  (:func:`~.loading.load_knowledge_token`; the token distiller).
"""
from typing import Optional, Sequence

from mmengine.model.weight_init import update_init_info
from mmengine.registry import WEIGHT_INITIALIZERS
from torch import nn

from .files import MapLocation, resolve_checkpoint_path
from .loading import load_backbone, load_knowledge_token, load_model


class _CheckpointInit:
    """A checkpoint initializer: the file is checked when the config is
    built, read when the module is initialised.

    Args:
        checkpoint (str): Path or URL.
        config_key (str): Where ``checkpoint`` was configured, for messages.
    """

    def __init__(self, checkpoint: str, config_key: str) -> None:
        resolve_checkpoint_path(checkpoint, config_key)
        self.checkpoint = checkpoint
        self.config_key = config_key

    def __call__(self, module: nn.Module) -> None:
        self.load(module)
        if hasattr(module, '_params_init_info'):
            update_init_info(
                module,
                init_info=f'{type(self).__name__}: load from '
                f'{self.checkpoint}')

    def load(self, module: nn.Module) -> None:
        """Fill ``module`` from the checkpoint."""
        raise NotImplementedError


@WEIGHT_INITIALIZERS.register_module(name='ViTPosePretrained')
class BackboneCheckpointInit(_CheckpointInit):
    """A ``ViTPoseBackbone`` from a checkpoint of any supported layout,
    strictly.

    Args:
        checkpoint, prefix, map_location, config_key: As for
            :func:`~.loading.load_backbone` (``prefix`` None,
            ``map_location`` ``'cpu'``, ``config_key``
            ``'init_cfg.checkpoint'`` by default).
    """

    def __init__(self,
                 checkpoint: str,
                 prefix: Optional[str] = None,
                 map_location: MapLocation = 'cpu',
                 config_key: str = 'init_cfg.checkpoint') -> None:
        super().__init__(checkpoint, config_key)
        self.prefix = prefix
        self.map_location = map_location

    def load(self, module: nn.Module) -> None:
        load_backbone(module, self.checkpoint, prefix=self.prefix,
                      map_location=self.map_location,
                      config_key=self.config_key)


@WEIGHT_INITIALIZERS.register_module(name='ViTPoseModelCheckpoint')
class ModelCheckpointInit(_CheckpointInit):
    """A whole model from a plugin-layout checkpoint, strictly except for
    ``optional_keys``; see :func:`~.loading.load_model`.

    Args:
        checkpoint (str): Path or URL.
        config_key (str): Where ``checkpoint`` was configured, for messages.
        optional_keys (Sequence[str]): Keys that may be missing on either
            side. Defaults to ().
    """

    def __init__(self,
                 checkpoint: str,
                 config_key: str,
                 optional_keys: Sequence[str] = ()) -> None:
        super().__init__(checkpoint, config_key)
        self.optional_keys = tuple(optional_keys)

    def load(self, module: nn.Module) -> None:
        load_model(module, self.checkpoint, self.config_key,
                   optional_keys=self.optional_keys)


@WEIGHT_INITIALIZERS.register_module(name='ViTPoseKnowledgeToken')
class KnowledgeTokenInit(_CheckpointInit):
    """Set a module's ``knowledge_token`` buffer to the tuned token t*
    (1, n, D) of a stage-1 checkpoint (tuner run or extracted teacher).

    Args:
        checkpoint (str): Path or URL.
        config_key (str): Where ``checkpoint`` was configured, for messages.

    Raises:
        TypeError: the module declares no ``knowledge_token`` buffer.
    """

    def load(self, module: nn.Module) -> None:
        if 'knowledge_token' not in module._buffers:
            raise TypeError(f'{type(module).__name__} declares no '
                            f'knowledge_token buffer for {self.config_key}')
        module.knowledge_token = load_knowledge_token(self.checkpoint,
                                                      self.config_key)
