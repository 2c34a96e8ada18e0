"""ViTPoseMultiDatasetEvaluator: every dataset of a mixture evaluated by its
own metrics, results prefixed by the dataset's name."""
from collections import Counter, defaultdict
from copy import deepcopy
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import torch
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.structures import BaseDataElement
from mmpose.evaluation import CocoMetric
from mmpose.registry import EVALUATORS, METRICS

MetricCfg = Union[dict, BaseMetric]
MetricsByName = Mapping[str, Union[MetricCfg, Sequence[MetricCfg]]]


def _take(value: Any, indices: List[int], size: int) -> Any:
    """``value``'s entries at ``indices`` when it holds one per sample of a
    batch of ``size``; otherwise ``value`` unchanged."""
    if isinstance(value, torch.Tensor) and value.shape[:1] == (size, ):
        return value[indices]
    if isinstance(value, (list, tuple)) and len(value) == size:
        return [value[i] for i in indices]
    return value


def subset_batch(data_batch: Any, indices: List[int], size: int) -> Any:
    """The part of a collated batch of ``size`` samples (a dict of
    per-sample sequences, e.g. ``inputs`` and ``data_samples``) that belongs
    to the samples at ``indices``."""
    if isinstance(data_batch, Mapping):
        return {k: _take(v, indices, size) for k, v in data_batch.items()}
    return _take(data_batch, indices, size)


@EVALUATORS.register_module()
class ViTPoseMultiDatasetEvaluator(Evaluator):
    """Evaluates each dataset of a ``ViTPoseDatasetMixture`` with its own
    metrics in one val/test run.

    A sample goes to the metrics of its ``dataset_name`` metainfo (set by
    the mixture); each metric gets its own dataset's metainfo (from the
    mixture's ``metainfo['datasets']``, through :attr:`dataset_meta`, which
    the runner's val/test loops set) and prefixes its results with the
    dataset's name: ``coco/AP``, ``aic/AP``, ``mpii/PCK``..., so
    ``default_hooks.checkpoint.save_best='coco/AP'`` picks one of them.
    Use a val sampler with ``round_up=False`` (padding would evaluate some
    samples twice).

    Args:
        metrics (dict): Dataset name -> metric config (or metric), or a list
            of them, e.g. ``dict(coco=dict(type='CocoMetric',
            ann_file=...), mpii=dict(type='MpiiPCKAccuracy'))``. One entry
            per dataset of the mixture. The evaluator sets each metric's
            ``prefix`` to the name; a config may not set its own.
        all_datasets_metrics (list, optional): Metric configs (or metrics)
            that get every sample of every dataset and the mixture's
            metainfo, their results unprefixed, e.g. ``DumpResults``
            (``tools/test.py --dump`` adds it here). Defaults to None.
    """

    def __init__(self,
                 metrics: MetricsByName,
                 all_datasets_metrics: Optional[Sequence[MetricCfg]] = None
                 ) -> None:
        if not isinstance(metrics, Mapping) or not metrics:
            raise TypeError(
                f'{type(self).__name__} takes `metrics` as a non-empty dict '
                f'dataset name -> metric config, got {metrics!r}')
        self.metrics_by_name: Dict[str, List[BaseMetric]] = {}
        for name, cfgs in metrics.items():
            if not isinstance(cfgs, (list, tuple)):
                cfgs = [cfgs]
            self.metrics_by_name[name] = [
                self._build_metric(name, cfg) for cfg in cfgs
            ]
        if all_datasets_metrics is None:
            all_datasets_metrics = []
        if not isinstance(all_datasets_metrics, (list, tuple)):
            raise TypeError(
                f'{type(self).__name__} takes `all_datasets_metrics` as a '
                f'list of metric configs, got {all_datasets_metrics!r}')
        self.all_datasets_metrics: List[BaseMetric] = [
            cfg if isinstance(cfg, BaseMetric) else METRICS.build(cfg)
            for cfg in all_datasets_metrics
        ]
        super().__init__(
            [m for ms in self.metrics_by_name.values() for m in ms] +
            self.all_datasets_metrics)

    @staticmethod
    def _build_metric(name: str, cfg: MetricCfg) -> BaseMetric:
        if isinstance(cfg, dict):
            if cfg.get('prefix') is not None:
                raise ValueError(
                    f"metrics[{name!r}] sets prefix={cfg['prefix']!r}; the "
                    f'evaluator prefixes the results with the dataset name '
                    f"('{name}/...'): remove `prefix`")
            metric = METRICS.build(cfg)
        elif isinstance(cfg, BaseMetric):
            metric = cfg
        else:
            raise TypeError(f'metrics[{name!r}] must be a metric config '
                            f'dict or a BaseMetric, got {cfg!r}')
        metric.prefix = name
        return metric

    @property
    def dataset_meta(self) -> Optional[dict]:
        """The mixture's metainfo (see ``ViTPoseDatasetMixture``)."""
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        """Give every metric its own dataset's metainfo.

        Raises:
            ValueError: ``dataset_meta`` has no ``datasets`` (not a
                mixture's), the dataset names and the metric names differ,
                or a ``CocoMetric`` without ``ann_file`` would look its
                annotations up under a dataset name that several datasets
                share.
        """
        datasets = (dataset_meta or {}).get('datasets')
        if not isinstance(datasets, Mapping):
            raise ValueError(
                f"{type(self).__name__} needs the metainfo of a "
                "ViTPoseDatasetMixture (with 'datasets': name -> metainfo); "
                'make the val/test dataset a ViTPoseDatasetMixture')
        no_metric = [n for n in datasets if n not in self.metrics_by_name]
        no_data = [n for n in self.metrics_by_name if n not in datasets]
        if no_metric or no_data:
            raise ValueError(
                f'the mixture has datasets {list(datasets)} and `metrics` '
                f'has {list(self.metrics_by_name)}: no metric for '
                f'{no_metric}, no dataset for {no_data}; give `metrics` one '
                'entry per dataset name')
        shared = Counter(meta['dataset_name'] for meta in datasets.values())
        for name, metrics in self.metrics_by_name.items():
            meta = datasets[name]
            for metric in metrics:
                if (isinstance(metric, CocoMetric) and metric.ann_file is None
                        and shared[meta['dataset_name']] > 1):
                    raise ValueError(
                        f'metrics[{name!r}] ({type(metric).__name__}) has no '
                        'ann_file, so it would look the annotations up under '
                        f"the dataset name {meta['dataset_name']!r}, which "
                        f'{shared[meta["dataset_name"]]} datasets of the '
                        "mixture share, and could read another's: give it "
                        'ann_file')
                metric.dataset_meta = deepcopy(meta)
        for metric in self.all_datasets_metrics:
            metric.dataset_meta = dataset_meta
        self._dataset_meta = dataset_meta

    def process(self,
                data_samples: Sequence[Union[BaseDataElement, dict]],
                data_batch: Optional[Any] = None) -> None:
        """Route each sample (and its part of ``data_batch``) to the metrics
        of its ``dataset_name``, and all of them to
        :attr:`all_datasets_metrics`.

        Raises:
            RuntimeError: :attr:`dataset_meta` was never set.
            KeyError: a sample without ``dataset_name`` or from a dataset
                without metrics.
        """
        if self._dataset_meta is None:
            raise RuntimeError(
                'set evaluator.dataset_meta = mixture.metainfo before '
                'process() (the runner does it at the start of val/test)')
        samples = [
            s.to_dict() if isinstance(s, BaseDataElement) else s
            for s in data_samples
        ]
        groups = defaultdict(list)
        for i, sample in enumerate(samples):
            name = sample.get('dataset_name')
            if name not in self.metrics_by_name:
                raise KeyError(
                    f'sample {i} of the batch has dataset_name={name!r}, '
                    f'and `metrics` covers {list(self.metrics_by_name)}; '
                    'evaluate a ViTPoseDatasetMixture (it sets dataset_name) '
                    'with one metric entry per dataset')
            groups[name].append(i)
        for name, indices in groups.items():
            batch = subset_batch(data_batch, indices, len(samples))
            group = [samples[i] for i in indices]
            for metric in self.metrics_by_name[name]:
                metric.process(batch, group)
        for metric in self.all_datasets_metrics:
            metric.process(data_batch, samples)
