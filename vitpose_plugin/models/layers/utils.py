"""Small helpers shared by the transformer layers."""
from typing import Tuple, Union


def to_2tuple(value: Union[int, Tuple[int, int]]) -> Tuple[int, int]:
    """Return ``(value, value)`` for an int, or the 2-sequence as a tuple."""
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f'expected an int or a pair, got {value!r}')
    return value  # type: ignore[return-value]
