"""tools/analysis/sampler_build.py times the sampler's build and order side
by side with its previous implementation, after checking that both group the
samples by image alike."""
from .helpers import load_tool

tool = load_tool('sampler_build', 'analysis')


def test_both_implementations_are_timed_on_one_dataset(capsys):
    tool.main(['--samples', '50', '--images', '20', '--datasets', '2'])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('50 samples, 20 images, 2 dataset(s)')
    assert [line.split(' | ')[0] for line in lines[3:]] == [
        '| build', "| one epoch's order"]
