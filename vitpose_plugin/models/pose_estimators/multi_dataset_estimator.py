"""One backbone, one heatmap head per dataset: multi-dataset top-down pose.

The batch is sorted by dataset (a :class:`PoseSampleBatch`'s dataset index,
else each sample's metainfo), the batch tensors (images, keypoints, ...) are
gathered once into that order, the backbone runs once (its
dataset experts, if any, each on its own contiguous slice) and every head
runs on its own dataset's slice only. Predictions are returned in the
original sample order.
"""
import logging
import operator
from collections import OrderedDict
from types import MappingProxyType
from typing import (Any, ClassVar, Dict, List, Mapping, NamedTuple, Optional,
                    Sequence, Tuple)

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModel, ModuleDict
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.utils.typing import (ConfigType, ForwardResults, OptConfigType,
                                 OptMultiConfig, OptSampleList, SampleList)
from torch import Tensor

from ...structures import PoseSampleBatch

Feats = Tuple[Tensor, ...]


class Grouping(NamedTuple):
    """A batch sorted by dataset index.

    Attributes:
        order (list[int]): Original index of each sorted position.
        sizes (tuple[int, ...]): Samples of each dataset, in dataset order
            (zeros included); they sum to the batch size.
        index (Tensor, optional): ``order`` on the device, sorted there from
            the batch's ``dataset_index``; None when only the host knows
            the order. Defaults to None.
    """
    order: List[int]
    sizes: Tuple[int, ...]
    index: Optional[Tensor] = None

    def slices(self) -> List[Tuple[int, int]]:
        """(start, stop) of each dataset's group in the sorted batch."""
        bounds, start = [], 0
        for size in self.sizes:
            bounds.append((start, start + size))
            start += size
        return bounds


def split_feats(feats: Sequence[Tensor],
                sizes: Sequence[int]) -> List[Feats]:
    """Split every level of ``feats`` (sorted batch first) into the groups
    of ``sizes``; return one tuple of levels per group."""
    levels = [feat.split(list(sizes)) for feat in feats]
    return [tuple(level[k] for level in levels) for k in range(len(sizes))]


@MODELS.register_module()
class ViTPoseMultiDatasetEstimator(BaseModel):
    """A top-down estimator with a shared backbone and one head per dataset.

    Every sample is routed to the head (and, with a ViTPose++ backbone, the
    FFN expert) of its dataset, read from its metainfo: ``dataset_name``
    (a key of ``heads``), or failing that ``dataset_idx`` (a position in
    ``heads``). The name wins when both are present. Each head only sees
    its own samples, with its own keypoint count, codec and loss; nothing
    is padded: each head draws its group's targets from the batch's
    keypoints with its own codec (``decoder``), or reads MMPose's
    per-sample targets.

    Modes of :meth:`forward`:

    - ``'loss'``: for each dataset present in the batch, the head's losses
      and metrics, suffixed with the dataset name (``loss_kpt_coco``,
      ``acc_pose_coco``; the per-dataset losses are detached, for logging),
      and for every loss key the batch mean over samples (``loss_kpt =
      sum_k n_k / B * loss_k``, ``n_k`` samples of dataset ``k`` in a batch
      of ``B``), which is what is optimised. Heads without a sample in the
      batch add ``0 * sum(parameters)``, so DDP with
      ``find_unused_parameters=False`` sees every parameter every step.
    - ``'predict'``: each head decodes its samples (flip test with that
      dataset's ``flip_indices``); the results are added to the data
      samples in their original order by
      :meth:`~mmpose.models.TopdownPoseEstimator.add_pred_to_datasample`
      (keypoints back to image space, ``test_cfg.output_keypoint_indices``).
    - ``'tensor'``: a dict ``dataset name -> heatmaps`` (n_k, K_k, h, w) of
      the datasets present in the batch, each holding that dataset's
      samples in their batch order. Without data samples (e.g. model
      export) it needs ``test_cfg.dataset``.

    At inference, ``test_cfg=dict(dataset='coco')`` sends every sample to
    one head whatever its metainfo (e.g. to test on a plain single-dataset
    pipeline; the flip test then uses the ``flip_indices`` of the first
    sample, as MMPose's heads do).

    MMPose's ``MMPoseInferencer``, ``init_model`` and ``inference_topdown``
    give every sample the metainfo of one dataset, read from the config
    (the first dataset's in the plugin's multi-dataset configs: see
    ``ViTPoseDatasetMixture``'s ``metainfo``), so they infer with the head
    of its ``dataset_name`` (the default head), or with
    ``test_cfg.dataset``. The first prediction on samples from outside a
    mixture (no ``dataset_idx``) logs which head infers them.

    A :class:`PoseSampleBatch` with a dataset index (``vitpose_collate`` of
    a ``ViTPoseDatasetMixture``, ``ViTPoseDataPreprocessor``) is sorted by
    it, on the host from its host copy (group sizes) and on the device from
    the tensor (no index copy), when each dataset's first sample names the
    head of its index; otherwise, and for plain sample lists, every sample
    is routed by its metainfo. The training step has no per-sample loop over
    tensors and no device sync of its own (the heads' ``acc_pose`` reads the heatmaps back, as in
    single-dataset training; ``train_cfg=dict(compute_acc=False)`` turns
    it off).

    Args:
        backbone (dict): Backbone config. A backbone with ``num_experts >
            0`` (:class:`ViTPoseBackbone`) must have one expert per head and
            gets the batch's ``group_sizes``.
        heads (dict): Dataset name -> head config, ordered: the order is the
            dataset index order (``dataset_idx``, expert index). Names must
            be non-empty and contain no ``'.'``.
        neck (dict, optional): Neck config. Defaults to None.
        train_cfg (dict, optional): Passed to every ``head.loss``.
            Defaults to None.
        test_cfg (dict, optional): Passed to every ``head.predict``
            (``flip_test``, ``shift_heatmap``, ``output_heatmaps``...), plus
            ``dataset``: the name of the head that every sample uses at
            inference. Defaults to None.
        data_preprocessor (dict, optional): Data preprocessor config.
            Defaults to None.
        init_cfg (dict | list, optional): Initialisation config.
            Defaults to None.
    """

    #: The ``test_cfg`` keys this class reads (``output_keypoint_indices``
    #: through MMPose's ``add_pred_to_datasample``), with their defaults;
    #: the heads read theirs from the same ``test_cfg``.
    test_cfg_defaults: ClassVar[Mapping[str, Any]] = MappingProxyType(
        dict(dataset=None, flip_test=False, output_keypoint_indices=None))
    #: No ``train_cfg`` key of its own: it is passed to every head.
    train_cfg_defaults: ClassVar[Mapping[str, Any]] = MappingProxyType({})

    def __init__(self,
                 backbone: ConfigType,
                 heads: Mapping[str, ConfigType],
                 neck: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.train_cfg = dict(train_cfg or {})
        self.test_cfg = dict(test_cfg or {})
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self._check_head_names(heads)
        self.heads = ModuleDict(
            {name: MODELS.build(cfg) for name, cfg in heads.items()})
        for head in self.heads.values():
            head.test_cfg = self.test_cfg.copy()
        self.dataset_names: Tuple[str, ...] = tuple(heads)
        self.num_experts = getattr(self.backbone, 'num_experts', 0)
        if self.num_experts and self.num_experts != len(heads):
            raise ValueError(
                f'the backbone has num_experts={self.num_experts} but there '
                f'are {len(heads)} heads {list(heads)}: one expert per '
                f'dataset')
        self._inference_heads_logged = False
        forced = self.test_option('dataset')
        if forced is not None and forced not in self.dataset_names:
            raise ValueError(f'test_cfg.dataset={forced!r} is not one of '
                             f'the heads {list(self.dataset_names)}')

    def test_option(self, key: str) -> Any:
        """``test_cfg[key]``, or its default (:attr:`test_cfg_defaults`).

        Args:
            key (str): A key of :attr:`test_cfg_defaults`.
        """
        return self.test_cfg.get(key, self.test_cfg_defaults[key])

    @staticmethod
    def _check_head_names(heads: Mapping[str, ConfigType]) -> None:
        if not isinstance(heads, Mapping) or not heads:
            raise ValueError(f'heads must be a non-empty dict dataset name '
                             f'-> head config, got {heads!r}')
        bad = [name for name in heads
               if not isinstance(name, str) or not name or '.' in name]
        if bad:
            raise ValueError(f'head names must be non-empty strings without '
                             f"'.', got {bad}")

    # Routing -----------------------------------------------------------------
    def _dataset_index(self, sample: PoseDataSample) -> int:
        """Dataset index of one sample from its metainfo."""
        names = list(self.dataset_names)
        hint = (f"valid datasets: {names}; pack 'dataset_name' (or "
                f"'dataset_idx') in the samples' metainfo, or set "
                f"model.test_cfg.dataset to one of them at inference")
        metainfo = sample.metainfo
        name = metainfo.get('dataset_name')
        if name is not None:
            if name not in names:
                raise ValueError(f'unknown dataset_name {name!r}; {hint}')
            return names.index(name)
        index = metainfo.get('dataset_idx')
        if index is None:
            raise ValueError(f'a data sample has neither dataset_name nor '
                             f'dataset_idx in its metainfo; {hint}')
        try:
            index = operator.index(index)
        except TypeError:
            index = None
        if index is None or not 0 <= index < len(names):
            raise ValueError(f'dataset_idx {metainfo["dataset_idx"]!r} is '
                             f'not an index of the {len(names)} heads; '
                             f'{hint}')
        return index

    def group(self,
              batch: int,
              data_samples: OptSampleList,
              dataset: Optional[str] = None) -> Grouping:
        """Sort a batch by dataset index (a stable sort, on the host).

        Args:
            batch (int): Batch size.
            data_samples (list[PoseDataSample], optional): The samples,
                whose metainfo names their dataset.
            dataset (str, optional): Route every sample to this head
                instead. Defaults to None.
        """
        if dataset is not None:
            indices = [self.dataset_names.index(dataset)] * batch
        elif data_samples is None:
            raise ValueError(
                f'without data samples the dataset of the inputs is unknown; '
                f'set model.test_cfg.dataset to one of '
                f'{list(self.dataset_names)}')
        elif self._indexed_by_head(data_samples):
            order, index = data_samples.dataset_order()
            indices = data_samples.host_dataset_index
            return Grouping(order, self._group_sizes(indices), index)
        else:
            indices = [self._dataset_index(s) for s in data_samples]
        order = sorted(range(batch), key=indices.__getitem__)
        return Grouping(order, self._group_sizes(indices))

    def _group_sizes(self, indices: Sequence[int]) -> Tuple[int, ...]:
        return tuple(indices.count(k) for k in range(len(self.heads)))

    def _indexed_by_head(self, data_samples: SampleList) -> bool:
        """Whether a :class:`PoseSampleBatch`'s dataset index is the head
        index: each dataset's first sample routes to the head of its index
        (the name wins otherwise, and the batch is grouped per sample)."""
        indices = getattr(data_samples, 'host_dataset_index', None)
        if indices is None:
            return False
        first: Dict[int, int] = {}
        for position, index in enumerate(indices):
            first.setdefault(index, position)
        return all(
            self._dataset_index(data_samples[position]) == index
            for index, position in first.items())

    @staticmethod
    def _order_index(order: List[int], device: torch.device) -> Tensor:
        """``order`` on ``device`` (copied from pinned memory without waiting
        for the device)."""
        index = torch.tensor(order, pin_memory=device.type == 'cuda')
        return index.to(device, non_blocking=True)

    def _sorted(self, inputs: Tensor, data_samples: OptSampleList,
                grouping: Grouping) -> Tuple[Tensor, OptSampleList]:
        """``inputs`` and ``data_samples`` as one :class:`PoseSampleBatch`
        in the grouping's order (MMPose's sample lists converted by
        :meth:`PoseSampleBatch.of`); the order index is copied to the
        device only when the batch had no dataset index."""
        order = grouping.order
        batch = None if data_samples is None else PoseSampleBatch.of(
            data_samples, inputs=inputs)
        if order == list(range(len(order))):
            return inputs, batch
        index = grouping.index
        if index is None:
            index = self._order_index(order, inputs.device)
        if batch is None:
            return inputs.index_select(0, index), None
        batch = batch.take(order, index)
        return batch.inputs, batch

    def extract_feat(self,
                     inputs: Tensor,
                     group_sizes: Optional[Sequence[int]] = None) -> Feats:
        """Backbone (with ``group_sizes`` if it has experts) and neck on a
        batch sorted by dataset."""
        if self.num_experts:
            feats = self.backbone(inputs, group_sizes=group_sizes)
        else:
            feats = self.backbone(inputs)
        if self.neck is not None:
            feats = self.neck(feats)
        return tuple(feats) if isinstance(feats, (list, tuple)) else (feats, )

    def _grouped_feats(self, sorted_inputs: Tensor,
                       sizes: Tuple[int, ...]) -> List[Feats]:
        """Features of a sorted batch, split into dataset groups."""
        return split_feats(self.extract_feat(sorted_inputs, sizes), sizes)

    # Modes -------------------------------------------------------------------
    def forward(self,
                inputs: Tensor,
                data_samples: OptSampleList = None,
                mode: str = 'tensor') -> ForwardResults:
        """``mode`` is ``'loss'``, ``'predict'`` or ``'tensor'`` (see the
        class docstring); the data samples route the inputs in every mode."""
        if isinstance(inputs, list):
            inputs = torch.stack(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise ValueError(f"invalid mode {mode!r}; use 'loss', 'predict' or "
                         f"'tensor'")

    def _forward(self,
                 inputs: Tensor,
                 data_samples: OptSampleList = None) -> Dict[str, Tensor]:
        """Heatmaps of each dataset present: name -> (n_k, K_k, h, w)."""
        grouping = self.group(
            inputs.shape[0], data_samples, self.test_option('dataset'))
        inputs, _ = self._sorted(inputs, data_samples, grouping)
        feats = self._grouped_feats(inputs, grouping.sizes)
        return {
            name: head.forward(feats[k])
            for k, (name, head) in enumerate(self.heads.items())
            if grouping.sizes[k]
        }

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Per-dataset losses and their sample-weighted mean (see the class
        docstring)."""
        batch = inputs.shape[0]
        grouping = self.group(batch, data_samples)
        inputs, samples = self._sorted(inputs, data_samples, grouping)
        feats = self._grouped_feats(inputs, grouping.sizes)
        losses: dict = {}
        totals: Dict[str, Tensor] = {}
        unused = []
        for k, ((name, head), (start, stop)) in enumerate(
                zip(self.heads.items(), grouping.slices())):
            if start == stop:
                unused.append(head)
                continue
            head_losses = head.loss(
                feats[k], samples[start:stop], train_cfg=self.train_cfg)
            for key, value in head_losses.items():
                if 'loss' in key:
                    share = value * ((stop - start) / batch)
                    totals[key] = totals[key] + share if key in totals \
                        else share
                    value = value.detach()
                losses[f'{key}_{name}'] = value
        if not totals:
            raise ValueError('the heads returned no loss (keys containing '
                             "'loss') for this batch")
        # Keep the absent datasets' heads in the graph (DDP).
        dangling = [
            param.sum() for head in unused for param in head.parameters()
            if param.requires_grad
        ]
        if dangling:
            first = next(iter(totals))
            totals[first] = totals[first] + 0. * torch.stack(dangling).sum()
        return {**totals, **losses}

    def parse_losses(
        self, losses: Dict[str, Tensor]
    ) -> Tuple[Tensor, Dict[str, Tensor]]:
        """mmengine's rule (sum every key containing ``'loss'``), except the
        per-dataset copies ``<key>_<dataset>`` of a loss ``<key>``, which are
        only logged (their weighted sum is ``<key>``)."""
        logged = {
            key for key in losses for name in self.dataset_names
            if key.endswith(f'_{name}') and key[:-len(name) - 1] in losses
        }
        loss, summed = super().parse_losses(
            {k: v for k, v in losses.items() if k not in logged})
        log_vars = OrderedDict(loss=loss)
        for key in losses:  # in the order of the losses
            log_vars[key] = losses[key].mean() if key in logged \
                else summed[key]
        return loss, log_vars

    def _log_inference_heads(self, data_samples: SampleList,
                             sizes: Tuple[int, ...]) -> None:
        """Log, once per model, the heads that infer samples from outside a
        ``ViTPoseDatasetMixture`` (no ``dataset_idx``: MMPose's inferencers,
        ``inference_topdown``) and why."""
        if self._inference_heads_logged or all(
                'dataset_idx' in sample.metainfo for sample in data_samples):
            return
        used = [name for name, size in zip(self.dataset_names, sizes) if size]
        reason = ('model.test_cfg.dataset' if self.test_option('dataset')
                  else "the samples' dataset_name: the config's metainfo")
        print_log(
            f'{type(self).__name__}: inferring with head {used} ({reason}; '
            f'heads {list(self.dataset_names)}). Another head: '
            f'vitpose_plugin.apis.build_inferencer(config, dataset=NAME)',
            logger='current', level=logging.INFO)
        self._inference_heads_logged = True

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Decode each dataset's samples with its head (flip test with that
        dataset's ``flip_indices`` if ``test_cfg.flip_test``); results in
        the original sample order."""
        grouping = self.group(
            inputs.shape[0], data_samples, self.test_option('dataset'))
        self._log_inference_heads(data_samples, grouping.sizes)
        inputs, samples = self._sorted(inputs, data_samples, grouping)
        feats = self._grouped_feats(inputs, grouping.sizes)
        flip = self.test_option('flip_test')
        if flip:
            flipped = self._grouped_feats(inputs.flip(-1), grouping.sizes)
        instances: list = [None] * len(samples)
        fields: list = [None] * len(samples)
        for k, (head, (start, stop)) in enumerate(
                zip(self.heads.values(), grouping.slices())):
            if start == stop:
                continue
            preds = head.predict([feats[k], flipped[k]] if flip else feats[k],
                                 samples[start:stop],
                                 test_cfg=self.test_cfg)
            group_instances, group_fields = preds if isinstance(
                preds, tuple) else (preds, None)
            for offset, original in enumerate(grouping.order[start:stop]):
                instances[original] = group_instances[offset]
                if group_fields is not None:
                    fields[original] = group_fields[offset]
        return self.add_pred_to_datasample(
            instances, fields if any(f is not None for f in fields) else None,
            data_samples)

    #: Predictions to image space, into the data samples (MMPose's).
    add_pred_to_datasample = TopdownPoseEstimator.add_pred_to_datasample
