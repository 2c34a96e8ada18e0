"""tools/analysis/train_throughput.py: its host-device traffic counter counts
exactly, the tool measures every figure for both sides on CPU, the counter
sees the real per-sample traffic of MMPose's train_step, and an existing
--json is replaced only with --force."""
import json
import os.path as osp
import sys
from types import ModuleType

import numpy as np
import pytest
import torch

from vitpose_plugin.checkpoints.files import OutputPathError
from .helpers import REPO_ROOT, load_tool, run

TINY = ['--arch', '64', '1', '2']


@pytest.fixture(scope='module')
def tool() -> ModuleType:
    return load_tool('train_throughput', 'analysis')


def test_counter_counts_known_calls_on_cpu(tool):
    t = torch.tensor([1.5, 2.5])
    i = torch.tensor(1)
    mask = torch.tensor([True, False])
    with tool.HostDeviceTrafficCounter('cpu') as traffic:
        t[0].item()
        t.tolist()
        t.numpy()
        np.asarray(t)
        t.cpu()
        bool(t[0])
        float(t[0])
        int(i)
        [0, 1][i]  # __index__
        complex(t[0])
        f'{t[0]:.1f}'  # __format__
        mask.nonzero()
        torch.nonzero(mask)
        torch.argwhere(mask)
        torch.where(mask)
        t.masked_select(mask)
        torch.unique(mask)
        t[mask]
        t.to('cpu')
        t.to(torch.device('cpu'), torch.float64)
        t.to(device='cpu')
        t.to(i)  # a tensor argument names its device
        torch.tensor([1.0], device='cpu')
        torch.as_tensor(np.zeros(2), device='cpu')
        # not counted: no device named, no host read, no crossing copy
        t.to(torch.float64)
        torch.tensor([1.0])
        torch.where(mask, t, t)
        t[0]
        t.clone().copy_(t)
        t + 1
    assert dict(traffic.transfers) == {'to': 4, 'tensor': 1, 'as_tensor': 1}
    assert dict(traffic.syncs) == {
        'item': 1, 'tolist': 1, 'numpy': 1, '__array__': 1, 'cpu': 1,
        '__bool__': 1, '__float__': 1, '__int__': 1, '__index__': 1,
        '__complex__': 1, '__format__': 1, 'nonzero': 2, 'argwhere': 1,
        'where(cond)': 1, 'masked_select': 1, 'unique': 1,
        '__getitem__[bool]': 1
    }
    assert traffic.total_transfers == 6 and traffic.total_syncs == 18


def test_counter_records_call_sites(tool):
    t = torch.ones(2)
    with tool.HostDeviceTrafficCounter('cpu', sites=True) as traffic:
        for _ in range(2):
            t.sum().item()
        t.to('cpu')
    sites = {(kind, name): (site, count)
             for (kind, name, site), count in traffic.sites.items()}
    assert set(sites) == {('sync', 'item'), ('transfer', 'to')}
    site, count = sites[('sync', 'item')]
    assert count == 2 and site.startswith(
        'tests/tools/test_train_throughput.py:'), site


def test_counter_on_an_accelerator_counts_crossings_only(tool):
    """'meta' stands in for an accelerator: host reads of host tensors and
    device-local moves are not traffic there."""
    host = torch.ones(2)
    device = torch.ones(2, device='meta')
    with tool.HostDeviceTrafficCounter('cuda') as traffic:
        host[0].item()
        bool(host[0])
        host.to('meta')  # host -> device
        torch.as_tensor([1.0, 2.0], device='meta')  # host data -> device
        device.to('meta')  # already there
        device.clone().copy_(host)  # host -> device copy
        with pytest.raises(Exception):
            device.to('cpu')  # device -> host: a synchronisation
        with pytest.raises(Exception):
            device.sum().item()
    assert dict(traffic.transfers) == {'to': 1, 'as_tensor': 1, 'copy_': 1}
    assert dict(traffic.syncs) == {'to(cpu)': 1, 'item': 1}


def test_sample_replicas_are_distinct_images(tool):
    """Replicas give image-grouping samplers and image caches COCO-like
    groups (one image's persons), not one image's every repeat in a row."""
    replicas = tool.SampleReplicas()
    with open(osp.join(replicas.root, replicas.ann_file(3))) as f:
        data = json.load(f)
    with open(osp.join(REPO_ROOT, 'data', 'sample_coco',
                       'test_coco.json')) as f:
        sample = json.load(f)
    names = [image['file_name'] for image in data['images']]
    assert len(data['images']) == 3 * len(sample['images'])
    assert len(set(names)) == len(names)
    assert len({image['id'] for image in data['images']}) == len(names)
    assert all(osp.isfile(osp.join(replicas.root, name)) for name in names)
    assert len(data['annotations']) == 3 * len(sample['annotations'])
    assert len({ann['id'] for ann in data['annotations']}) == \
        len(data['annotations'])
    ids = {image['id'] for image in data['images']}
    assert all(ann['image_id'] in ids for ann in data['annotations'])


def test_mmpose_transfers_grow_with_batch(tool):
    """MMPose's train_step moves per-sample tensors one by one: the counter
    must see that (so it sees real traffic, not a constant)."""
    args = tool.parse_args(TINY + ['--workers', '0'])
    side = tool.Side('mmpose', tool.load_config(args.mmpose_config, 'mmpose',
                                                 args))
    one = tool.traffic_counts(side, 'cpu', 1)
    three = tool.traffic_counts(side, 'cpu', 3)
    # the image and the data sample's tensors, per sample
    assert three['transfer_calls']['to'] - one['transfer_calls']['to'] >= 4
    assert three['syncs'] >= 1


@pytest.mark.slow  # an end-to-end tool run of 15-25 s
def test_tool_measures_every_figure_for_both_sides(tmp_path):
    out = tmp_path / 'throughput.json'
    out.write_text('an earlier run')
    proc = run([
        sys.executable, 'tools/analysis/train_throughput.py', *TINY,
        '--batch', '2', '--workers', '1', '--samples', '4', '--iters', '2',
        '--warmup', '1', '--step-iters', '1', '--rounds', '1', '--json',
        str(out), '--force'
    ], cwd=REPO_ROOT, timeout=300)
    results = json.loads(out.read_text())
    for figure in ('pipeline', 'pipeline_interleaved', 'loader', 'step',
                   'e2e'):
        for side in ('plugin', 'mmpose'):
            assert results[figure][side] > 0, (figure, side)
        assert results[figure]['ratio'] > 0
    assert set(results['loader']['per_worker']) == {'plugin', 'mmpose'}
    for side in ('plugin', 'mmpose'):
        traffic = results['traffic'][side]
        assert traffic['transfers'] > 0 and traffic['syncs'] >= 0
        assert traffic['transfers'] == sum(traffic['transfer_calls'].values())
        assert traffic['transfers'] + traffic['syncs'] == sum(
            count for _, _, _, count in traffic['sites'])
        assert 0 < traffic['transfers_outside_torch'] <= traffic['transfers']
    assert results['sample_instances'] > 0
    assert results['machine']['cores'] >= 1
    assert 'samples/s per core' in proc.stdout


def test_an_existing_json_is_refused_before_measuring(tool, tmp_path):
    out = tmp_path / 'throughput.json'
    out.write_text('an earlier run')
    with pytest.raises(OutputPathError,
                       match=f'--json {out} exists; refusing to overwrite '
                       'it: choose another output path or pass --force'):
        tool.main([*TINY, '--json', str(out)])
    assert out.read_text() == 'an earlier run'


def test_bad_arguments_fail_clearly(tool, tmp_path, capsys):
    with pytest.raises(SystemExit):
        tool.parse_args(['--warmup', '5', '--iters', '5'])
    assert '--warmup must be in [0, --iters)' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.parse_args(['--amp'])
    assert '--amp needs --device cuda' in capsys.readouterr().err
    args = tool.parse_args([])
    with pytest.raises(FileNotFoundError, match='plugin config not found'):
        tool.load_config(str(tmp_path / 'missing.py'), 'plugin', args)
    with pytest.raises(ValueError, match='unknown backbone type'):
        cfg = tool.load_config(tool.PLUGIN_CONFIG, 'plugin', args)
        cfg.model.backbone.type = 'ResNet'
        tool.apply_arch(cfg, (64, 1, 2))


SIX_DATASETS = osp.join(
    REPO_ROOT, 'configs', 'body_2d_keypoint', 'topdown_heatmap',
    'multi_dataset', 'td-hm_ViTPose-plus-base_8xb128-210e_6datasets-256x192.py')
MAE = osp.join(REPO_ROOT, 'configs', 'mae_pretraining',
               'mae_ViTPose-base_8xb512-1600e_coco-aic-256x192.py')


def test_per_sample_counterpart_of_the_mixture(tool):
    """Each dataset of the ViTPose++ mixture trains on its shipped sample
    (replicated), and the baseline is MMPose 1.x's per-sample pipeline."""
    args = tool.parse_args([SIX_DATASETS, '--mmpose-config', 'per-sample',
                            '--skip', 'step', 'traffic', 'e2e'])
    baseline = tool.load_config(args.mmpose_config, 'mmpose', args)
    for dataset in baseline.train_dataloader.dataset.datasets:
        kinds = [step['type'] for step in dataset.pipeline]
        assert kinds[0] == 'LoadImage' and kinds[-2:] == [
            'GenerateTarget', 'PackPoseInputs']
        assert not any(kind.startswith('ViTPose') for kind in kinds), kinds
    assert baseline.train_dataloader.collate_fn.type == 'pseudo_collate'
    side = tool.Side('plugin', tool.load_config(args.config, 'plugin', args))
    replicas = side.loader_cfg(2 * side.base_len).dataset.datasets
    assert [tool.sample_of(d)[0] for d in replicas] == [
        'sample_coco', 'sample_aic', 'sample_mpii', 'sample_ap10k',
        'sample_ap10k', 'sample_coco']
    with pytest.raises(SystemExit):
        tool.parse_args([SIX_DATASETS, '--mmpose-config', 'per-sample'])


def test_per_sample_targets_use_the_config_codec(tool):
    """The per-sample baseline draws the targets with MMPose's counterpart
    of the config's codec: UDP for COCO, MSRA for AIC and the others."""
    for codec, expected in (('ViTPoseUDPHeatmap', 'UDPHeatmap'),
                            ('ViTPoseMSRAHeatmap', 'MSRAHeatmap')):
        steps = tool.per_sample_transforms(
            [dict(type='PackViTPoseInputs')],
            dict(type=codec, input_size=(192, 256), heatmap_size=(48, 64),
                 sigma=2), mmpretrain=False)
        assert [step['type'] for step in steps] == ['GenerateTarget',
                                                    'PackPoseInputs']
        assert steps[0]['encoder']['type'] == expected


def test_mae_pipelines_in_sampler_order(tool):
    """The MAE recipe's pipeline figure: the plugin decodes each image once
    for its persons, mmpretrain's per-sample pipeline every time; both
    sides give samples in the config sampler's order."""
    args = tool.parse_args([MAE, '--mmpose-config', 'per-sample', '--skip',
                            'loader', 'step', 'traffic', 'e2e'])
    replicas = tool.SampleReplicas()
    sides = {name: tool.Side(name, tool.load_config(path, name, args),
                             replicas)
             for name, path in (('plugin', args.config),
                                ('mmpose', args.mmpose_config))}
    baseline = sides['mmpose'].cfg.train_dataloader
    assert baseline.sampler.type == 'DefaultSampler'
    # mmpretrain's own per-sample pipeline, as before the lean recipe
    steps = baseline.dataset.datasets[0].pipeline
    assert [step.type for step in steps] == [
        'LoadImageFromFile', 'ViTPosePersonRandomResizedCrop', 'RandomFlip',
        'PackInputs']
    assert 'flip_prob' not in steps[1] and steps[2].prob == 0.5
    assert baseline.collate_fn.type == 'default_collate'
    assert sides['plugin'].base_len == 21  # COCO + AIC sample persons
    for side in sides.values():
        assert tool.pipeline_rate(side, 8, 4) > 0


def test_plugin_pipeline_runs_as_its_train_loop_reads_it(tool, monkeypatch):
    """The plugin side's samples come through ViTPoseSeededDataset (each
    sample's draws from (seed, epoch, index)) when tools/train.py trains
    the config with seeded draws; MMPose 1.x's per-sample side without."""
    args = tool.parse_args([SIX_DATASETS, '--mmpose-config', 'per-sample',
                            '--skip', 'loader', 'step', 'traffic', 'e2e'])
    plugin = tool.load_config(args.config, 'plugin', args)
    baseline = tool.load_config(args.mmpose_config, 'mmpose', args)
    assert tool.trains_with_seeded_draws(plugin)
    assert not tool.trains_with_seeded_draws(baseline)
    mae = tool.load_config(MAE, 'plugin', tool.parse_args([MAE]))
    assert tool.trains_with_seeded_draws(mae)
    mae.train_cfg.seeded_draws = False
    assert not tool.trains_with_seeded_draws(mae)
    seen = []
    draw_sample = tool.ViTPoseSeededDataset.__getitem__
    monkeypatch.setattr(tool.ViTPoseSeededDataset, '__getitem__',
                        lambda self, key: seen.append(key) or
                        draw_sample(self, key))
    replicas = tool.SampleReplicas()
    assert tool.pipeline_rate(tool.Side('mmpose', baseline, replicas),
                              4, 2) > 0
    assert seen == []
    assert tool.pipeline_rate(tool.Side('plugin', plugin, replicas),
                              4, 2) > 0
    assert len(seen) == 4 and all(
        isinstance(key, tool.SampleKey) and key[:2] == (0, 0) for key in seen)
