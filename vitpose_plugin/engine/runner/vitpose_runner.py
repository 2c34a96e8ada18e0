"""mmengine's Runner with safe checkpoint reads, torchrun on CPU and model
compilation for every loop, exact mid-epoch resume."""
import copy
import datetime
import os
import re
from typing import Callable, Dict, Optional, Union

import torch
import torch.distributed as dist
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.registry import MODEL_WRAPPERS
from mmengine.runner import BaseLoop, Runner
from mmengine.runner.checkpoint import _load_checkpoint_to_model
from mmpose.registry import RUNNERS
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from ...checkpoints import CheckpointShapeError, read_checkpoint
from ...models.utils import shape_error_for_checkpoint
from ...datasets.samplers import check_multi_source_sampler
from ..config_key_check import check_config_keys
from .epoch_based_train_loop import ViTPoseEpochBasedTrainLoop
from .model_compilation import compile_pose_model


@RUNNERS.register_module()
class ViTPoseRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner` with these changes, made
    through its documented extension point (``runner_type``, or
    ``ViTPoseRunner.from_cfg`` as ``tools/train.py`` and ``tools/test.py``
    do):

    - every checkpoint it reads (``load_from``, ``resume``, and so
      ``tools/test.py``) goes through
      :func:`vitpose_plugin.checkpoints.read_checkpoint`:
      ``torch.load(weights_only=True)`` with the plugin's allow-list, a
      clear refusal of files that would run code, and the one path policy;
      its errors name the file as the user gave it
      (:attr:`checkpoint_option`);
    - ``launcher='pytorch'`` (torchrun) works without a GPU: mmengine's
      launcher calls ``torch.cuda.set_device`` before initialising the
      process group, and wraps DDP with ``device_ids=[LOCAL_RANK]``, both of
      which fail on CPU. Without CUDA this initialises the group with
      ``env_cfg.dist_cfg`` (``nccl`` becomes ``gloo``) and wraps DDP with
      ``device_ids=None``. With a GPU it changes nothing;
    - ``cfg.compile`` (True or ``torch.compile`` arguments, mmengine's
      setting) compiles the model's backbone and head(s) in place
      (:func:`compile_pose_model`) for training, validation and testing,
      where mmengine compiles the whole ``train_step`` (data samples,
      codecs and the optimizer included) and only for training;
    - ``train_cfg=dict(by_epoch=True, ...)`` builds a
      :class:`ViTPoseEpochBasedTrainLoop` (an ``EpochBasedTrainLoop`` that
      resumes mid-epoch checkpoints bit-exactly) instead of mmengine's;
    - :meth:`from_cfg` refuses misspelt keys of the hooks and of the
      model's ``test_cfg``/``train_cfg`` before anything is built
      (:func:`~vitpose_plugin.engine.config_key_check.check_config_keys`).
    """

    @classmethod
    def from_cfg(cls, cfg: Dict) -> 'ViTPoseRunner':
        """Check the config's keys, then build the runner as mmengine."""
        check_config_keys(cfg)
        return super().from_cfg(cfg)

    #: How the user gave the checkpoint that ``load_from`` / ``resume``
    #: names, for messages: ``tools/test.py`` sets ``'checkpoint
    #: argument'``, ``tools/train.py --resume`` ``'--resume'``. None (the
    #: default): the config key, ``load_from``, or ``resume`` for the
    #: latest checkpoint of the work dir.
    checkpoint_option: Optional[str] = None

    def _checkpoint_label(self, filename: str) -> str:
        """How to name ``filename`` in messages."""
        resumes_latest = self._resume and self._load_from is None
        if filename != self._load_from and not resumes_latest:
            return 'checkpoint'  # a direct call of load_checkpoint
        if self.checkpoint_option is not None:
            return self.checkpoint_option
        if resumes_latest:
            return f'resume (the latest checkpoint of {self.work_dir})'
        return 'load_from'

    def build_train_loop(self, loop: Union[BaseLoop, Dict]) -> BaseLoop:
        """Build ``loop`` as mmengine does, with
        :class:`ViTPoseEpochBasedTrainLoop` for ``by_epoch=True``."""
        check_multi_source_sampler(self._train_dataloader, 'train_dataloader')
        if isinstance(loop, dict) and 'type' not in loop \
                and loop.get('by_epoch', False):
            loop_cfg = copy.deepcopy(loop)
            loop_cfg.pop('by_epoch')
            return ViTPoseEpochBasedTrainLoop(
                **loop_cfg, runner=self, dataloader=self._train_dataloader)
        return super().build_train_loop(loop)

    def _maybe_compile(self, target: str) -> None:
        compile_cfg = self.cfg.get('compile', None)
        model = self.model.module if is_model_wrapper(self.model) \
            else self.model
        compiled = compile_pose_model(model, compile_cfg)
        if compiled:
            self.logger.info(f'torch.compile({compile_cfg}) applied to '
                             f'{", ".join(compiled)}; the first iterations '
                             f'are slow while it compiles')

    def val(self) -> dict:
        self._maybe_compile('val_step')
        return super().val()

    def test(self) -> dict:
        self._maybe_compile('test_step')
        return super().test()

    def setup_env(self, env_cfg: Dict) -> None:
        """Initialise torchrun's process group on CPU, then as mmengine."""
        if self.launcher == 'pytorch' and not torch.cuda.is_available() \
                and not dist.is_initialized():
            dist_cfg = dict(env_cfg.get('dist_cfg', {}))
            backend = dist_cfg.pop('backend', 'nccl')
            if backend == 'nccl':
                backend = 'gloo'
                print_log('No CUDA device: using the gloo backend instead of '
                          'nccl', logger='current')
            if dist_cfg.get('timeout') is not None:
                dist_cfg['timeout'] = datetime.timedelta(
                    seconds=dist_cfg['timeout'])
            dist.init_process_group(
                backend=backend,
                rank=int(os.environ['RANK']),
                world_size=int(os.environ['WORLD_SIZE']),
                **dist_cfg)
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg: Optional[Dict],
                   model: nn.Module) -> nn.Module:
        """Wrap as mmengine does; DDP without device ids on CPU."""
        if self.distributed and not torch.cuda.is_available() \
                and not is_model_wrapper(model):
            model_wrapper_cfg = dict(
                model_wrapper_cfg or dict(
                    broadcast_buffers=False,
                    find_unused_parameters=self.cfg.get(
                        'find_unused_parameters', False)))
            model_wrapper_cfg.setdefault('type', 'MMDistributedDataParallel')
            if issubclass(
                    MODEL_WRAPPERS.get(model_wrapper_cfg['type']),
                    DistributedDataParallel):
                model_wrapper_cfg.setdefault('device_ids', None)
        return super().wrap_model(model_wrapper_cfg, model)

    def load_checkpoint(self,
                        filename: str,
                        map_location: Union[str, Callable] = 'cpu',
                        strict: bool = False,
                        revise_keys: list = [(r'^module.', '')]) -> dict:
        """Load ``filename`` into the model as mmengine does, reading it
        with :func:`~vitpose_plugin.checkpoints.read_checkpoint`."""
        label = self._checkpoint_label(filename)
        checkpoint = read_checkpoint(filename, map_location, label)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) \
            else self.model
        try:
            checkpoint = _load_checkpoint_to_model(
                model, checkpoint, strict, revise_keys=revise_keys)
        except CheckpointShapeError as error:
            state_dict = checkpoint.get('state_dict', checkpoint)
            for pattern, replacement in revise_keys:  # as mmengine does
                state_dict = {
                    re.sub(pattern, replacement, key): value
                    for key, value in state_dict.items()
                }
            raise shape_error_for_checkpoint(error, model, state_dict,
                                             filename, label) from None
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint
