"""The model config stored in a checkpoint's ``meta``, read without running
it.

mmengine's runner stores the whole config as Python text
(``meta['cfg']``); the plugin's converters store the model config as a
plain dict (``meta['model_cfg']``). ``mmengine.Config.fromstring`` would
execute the text, so :func:`model_cfg_from_meta` parses it with ``ast`` and
evaluates only literals and ``dict(...)`` calls of the ``model = ...``
assignment: reading a checkpoint never runs code from it.
"""
import ast
from typing import Any, Dict, Mapping, Optional

#: ``meta`` entry of the model config written by the converters.
MODEL_CFG_META = 'model_cfg'
_NAMES = {'True': True, 'False': False, 'None': None}


def _literal(node: ast.AST) -> Any:
    """The value of a literal / ``dict(...)`` expression node.

    Raises:
        ValueError: anything else (a name, a call, an operator).
    """
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == 'dict' and not node.args and \
            all(keyword.arg for keyword in node.keywords):
        return {kw.arg: _literal(kw.value) for kw in node.keywords}
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {
            _literal(key): _literal(value)
            for key, value in zip(node.keys, node.values)
        }
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(item) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Name) and node.id in _NAMES:
        return _NAMES[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_literal(node.operand)
    if isinstance(node, ast.Constant):
        return node.value
    raise ValueError(f'line {getattr(node, "lineno", "?")}: '
                     f'{ast.unparse(node)[:60]!r} is not a literal')


def model_cfg_from_text(text: str) -> Optional[Dict[str, Any]]:
    """The ``model = dict(...)`` of config text, None if it has none.

    Raises:
        ValueError: text that is not Python, or a model config that is no
            literal.
    """
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise ValueError(f'the config text is not Python ({error})') from None
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == 'model'
                for target in statement.targets):
            model = _literal(statement.value)
            if not isinstance(model, dict):
                raise ValueError('model in the config text is not a dict')
            return model
    return None


def model_cfg_from_meta(meta: Any) -> Optional[Dict[str, Any]]:
    """The model config of a checkpoint's ``meta``: ``meta['model_cfg']``
    (converters) or the ``model`` of ``meta['cfg']`` (the runner's config
    text); None if it has neither.

    Raises:
        ValueError: a config that cannot be read safely.
    """
    if not isinstance(meta, Mapping):
        return None
    model = meta.get(MODEL_CFG_META)
    if isinstance(model, Mapping):
        return dict(model)
    text = meta.get('cfg')
    return model_cfg_from_text(text) if isinstance(text, str) else None


__all__ = ['MODEL_CFG_META', 'model_cfg_from_meta', 'model_cfg_from_text']
