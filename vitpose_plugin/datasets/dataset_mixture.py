"""ViTPoseDatasetMixture: several pose datasets as one, each sample keeping
its own dataset's pipeline, keypoints and metainfo."""
from copy import deepcopy
from typing import Any, List, Optional, Sequence, Tuple, Union

from mmengine.dataset import BaseDataset
from mmpose.datasets import CombinedDataset
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.registry import DATASETS
from mmpose.structures import PoseDataSample

from .data_info import data_info
from .image_file import share_decoded_images


def resolve_dataset_names(datasets: Sequence[BaseDataset],
                          names: Optional[Sequence[str]] = None) -> List[str]:
    """One unique name per dataset: ``names``, or by default each dataset's
    ``metainfo['dataset_name']``.

    Raises:
        ValueError: a count that does not match, an empty or non-str name,
            or two datasets with one name.
    """
    if names is None:
        names = [ds.metainfo['dataset_name'] for ds in datasets]
        hint = ('(their metainfo dataset_name); pass `names`, one unique '
                "name per dataset, e.g. names=['ap10k', 'apt36k']")
    else:
        if len(names) != len(datasets):
            raise ValueError(f'{len(names)} names {list(names)} for '
                             f'{len(datasets)} datasets; give one per dataset')
        hint = '; make every entry of `names` unique'
    seen = {}
    for idx, name in enumerate(names):
        if not isinstance(name, str) or not name:
            raise ValueError(f'dataset {idx} has name {name!r}; names are '
                             'non-empty strings')
        if name in seen:
            first = seen[name]
            raise ValueError(
                f'datasets {first} ({type(datasets[first]).__name__}) and '
                f'{idx} ({type(datasets[idx]).__name__}) are both named '
                f'{name!r} {hint}')
        seen[name] = idx
    return list(names)


@DATASETS.register_module()
class ViTPoseDatasetMixture(CombinedDataset):
    """Several pose datasets as one, each with its own full pipeline.

    Unlike ``CombinedDataset`` there is no shared pipeline and no combined
    keypoint set: sample ``i`` of dataset ``k`` is exactly what dataset
    ``k`` returns (its own keypoint count, ``flip_indices`` and targets,
    packed by its own ``PackPoseInputs``), and its ``PoseDataSample`` gets
    ``dataset_name=names[k]`` and ``dataset_idx=k`` in its metainfo.
    Global indices run through the datasets in order (plain concatenation,
    as the official multi-dataset configs), so ``DefaultSampler`` mixes
    them in proportion to their sizes and MMPose's ``MultiSourceSampler``
    (``source_ratio``) draws a fixed count per dataset in every batch.

    :attr:`metainfo` is the first dataset's metainfo (what the visualizer,
    the checkpoint's ``dataset_meta`` and ``inference_topdown`` see) plus
    ``dataset_names`` (the list of names, index order) and ``datasets``
    (name -> that dataset's own metainfo, unchanged; its
    ``dataset_name`` is the dataset class's, e.g. ``'ap10k'`` for both
    AP-10K and APT-36K). ``ViTPoseMultiDatasetEvaluator`` reads
    ``datasets``.

    Args:
        datasets (list[dict | BaseDataset]): Dataset configs (or datasets),
            each with its own pipeline ending in ``PackPoseInputs``.
        names (list[str], optional): A unique name per dataset (the keys of
            the model's heads and of the evaluator's metrics). Defaults to
            None: each dataset's ``metainfo['dataset_name']``, an error when
            two are equal (e.g. AP-10K and APT-36K).
        sample_ratio_factor (list[float], optional): Per-dataset length
            factors, as ``CombinedDataset``'s (indices re-drawn at random
            within the dataset). Defaults to None (each dataset's length).
        lazy_init (bool): Defer the datasets' ``full_init``.
            Defaults to False.
        metainfo (dict, optional): The first dataset's metainfo (e.g.
            ``dict(from_file='configs/_base_/datasets/coco.py')``), written
            in a config for MMPose's ``init_model`` and inferencers: they
            read one dataset's metainfo from ``train_dataloader.dataset``
            and infer with the first head. Checked against the first
            dataset (dataset name and keypoint count). Defaults to None.
        pipeline (list[dict], optional): The first dataset's pipeline,
            written in a config for MMPose's inferencers (they read
            ``test_dataloader.dataset.pipeline``). The mixture does not run
            it (each dataset runs its own); it must equal the first dataset
            config's ``pipeline``. Defaults to None.
    """

    def __init__(self,
                 datasets: Sequence[Union[dict, BaseDataset]],
                 names: Optional[Sequence[str]] = None,
                 sample_ratio_factor: Optional[Sequence[float]] = None,
                 lazy_init: bool = False,
                 metainfo: Optional[dict] = None,
                 pipeline: Optional[Sequence[dict]] = None) -> None:
        if not datasets:
            raise ValueError(f'{type(self).__name__} needs at least one '
                             'dataset in `datasets`')
        self.datasets = [
            ds if isinstance(ds, BaseDataset) else DATASETS.build(ds)
            for ds in datasets
        ]
        self.names = resolve_dataset_names(self.datasets, names)
        # an image annotated in two datasets (COCO, COCO-WholeBody) is
        # decoded once for the persons of both when they come in a row
        share_decoded_images(
            transform for ds in self.datasets for transform in getattr(
                getattr(ds, 'pipeline', None), 'transforms', ()))
        self._lens = [len(ds) for ds in self.datasets]
        self.resample = sample_ratio_factor is not None
        if self.resample:
            self._lens_ori = self._lens
            self._lens = self._resampled_lens(sample_ratio_factor)
        self._len = sum(self._lens)
        # CombinedDataset.__init__ would parse one combined metainfo that
        # every sample gets; the mixture has none, so start at BaseDataset.
        BaseDataset.__init__(self, pipeline=[], lazy_init=lazy_init)
        self._metainfo = self._mixture_metainfo()
        self._check_first_dataset_entries(datasets[0], metainfo, pipeline)

    def _resampled_lens(self, factors: Sequence[float]) -> List[int]:
        if len(factors) != len(self.datasets):
            raise ValueError(
                f'sample_ratio_factor has {len(factors)} entries for '
                f'{len(self.datasets)} datasets {self.names}')
        if min(factors) < 0:
            raise ValueError(
                f'sample_ratio_factor {list(factors)} has a negative entry')
        return [round(n * f) for n, f in zip(self._lens_ori, factors)]

    def _check_first_dataset_entries(
            self, first: Union[dict, BaseDataset], metainfo: Optional[dict],
            pipeline: Optional[Sequence[dict]]) -> None:
        """Raise a ValueError if ``metainfo`` or ``pipeline`` (what MMPose's
        inferencers read) is not the first dataset's."""
        name = f'the first dataset ({self.names[0]!r})'
        if metainfo is not None:
            given = parse_pose_metainfo(dict(metainfo))
            own = self.datasets[0].metainfo
            if (given['dataset_name'], given['num_keypoints']) != (
                    own['dataset_name'], own['num_keypoints']):
                raise ValueError(
                    f"metainfo describes {given['dataset_name']!r} "
                    f"({given['num_keypoints']} keypoints) but {name} is "
                    f"{own['dataset_name']!r} ({own['num_keypoints']}); "
                    'give the first dataset\'s metainfo: MMPose\'s '
                    'inferencers read it for the first head')
        own_pipeline = first.get('pipeline') if isinstance(first,
                                                           dict) else None
        if pipeline is not None and own_pipeline is not None and \
                list(pipeline) != list(own_pipeline):
            raise ValueError(
                f'pipeline differs from the pipeline of {name}; give that '
                'one: MMPose\'s inferencers run it for the first head')

    def _mixture_metainfo(self) -> dict:
        metas = [ds.metainfo for ds in self.datasets]
        return dict(
            deepcopy(metas[0]),
            dataset_names=list(self.names),
            datasets=dict(zip(self.names, metas)))

    def get_data_info(self, idx: int) -> dict:
        """The annotation of global index ``idx`` (before any pipeline),
        with ``dataset_name`` set to the mixture's name and ``dataset_idx``.
        """
        subset, local = self._get_subset_index(idx)
        info = data_info(self.datasets[subset], local)
        info.update(dataset_name=self.names[subset], dataset_idx=subset)
        return info

    def prepare_data(self, idx: int) -> Any:
        """Sample ``idx`` through its own dataset's pipeline, with
        ``dataset_name`` and ``dataset_idx`` in its ``PoseDataSample``.

        Raises:
            TypeError: the dataset's pipeline does not end in packing.
        """
        subset, local = self._get_subset_index(idx)
        return self.tag_sample(self.datasets[subset][local], subset)

    def subset_index(self, idx: int, draws) -> Tuple[int, int]:
        """``(dataset, local index)`` of global index ``idx``, as
        ``_get_subset_index``, re-drawing a resampled dataset's local index
        from ``draws`` (a ``numpy.random.Generator``) instead of NumPy's
        global generator.

        Args:
            idx (int): Global index.
            draws (numpy.random.Generator): The sample's generator.
        """
        if not self.resample:
            return self._get_subset_index(idx)
        subset = 0
        while idx >= self._lens[subset]:
            idx -= self._lens[subset]
            subset += 1
        gap = (self._lens_ori[subset] - 1e-4) / self._lens[subset]
        return subset, round(gap * idx + draws.random() * gap - 0.5)

    def tag_sample(self, packed: Any, subset: int) -> Any:
        """Put ``dataset_name`` and ``dataset_idx`` of dataset ``subset``
        into the packed sample's ``PoseDataSample``.

        Raises:
            TypeError: the dataset's pipeline does not end in packing.
        """
        sample = (
            packed.get('data_samples') if isinstance(packed, dict) else None)
        if not isinstance(sample, PoseDataSample):
            raise TypeError(
                f'dataset {subset} ({self.names[subset]!r}) gave no '
                "PoseDataSample under 'data_samples'; end its pipeline with "
                "dict(type='PackPoseInputs')")
        sample.set_metainfo(
            dict(dataset_name=self.names[subset], dataset_idx=subset))
        return packed
