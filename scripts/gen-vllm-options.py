#!/usr/bin/env python3
# Regenerates src/core/formats/vllm/tables.generated.ts — the options `vllm serve` accepts, one table per vLLM
# version — from vLLM's own sources, read with Python's ast (nothing is imported or run):
#   vllm/engine/arg_utils.py        EngineArgs fields (types) and add_cli_args (option names, short forms,
#                                   explicit types/choices/actions, deprecated=True, help text naming replacements)
#   _compute_kwargs (int branch)    which integer options take human-readable sizes (32k/32K) or `auto`
#   vllm/config/*.py                Literal aliases (CacheDType, ModelDType, ...) → choices
#   vllm/entrypoints/openai/cli_args.py   the API server's own options (host, port, api-key, ...)
# Each source is a folder holding those files (or excerpts of them, verbatim, saved from the search tool's
# read_file); see VERSIONS below for which repository and commit each came from and how the version is known.
#   python3 scripts/gen-vllm-options.py /tmp/vllm-src
# Nothing read here is committed: only this script and its output, which names every source.
import ast, json, os, re, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else '/tmp/vllm-src'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'core', 'formats', 'vllm', 'tables.generated.ts')

FRONTEND = dict(dir='frontend-0052233', repository='github.com/vllm-project/vllm', commit='005223338608bc94fd165a4f976c102a57bd1fc4',
                file='vllm/entrypoints/openai/cli_args.py')
ALIASES = [
    dict(dir='aliases-002f10e', repository='github.com/vllm-project/vllm', commit='002f10e0cfa1373a19a0d2756598a34b700d20e5', file='vllm/config/cache.py'),
    dict(dir='aliases-0052a5b', repository='github.com/vllm-project/vllm', commit='0052a5b818980ce8a0477706aaf9f75bd5af72cd', file='vllm/config/model.py'),
]
# Oldest first. `evidence` says how the version is known; `exclude_defaults` drops options a fork added.
VERSIONS = [
    dict(version='0.11', dir='99d7eb5', kwargs='99d7eb5-kwargs', repository='github.com/vllm-project/vllm',
         commit='99d7eb5d6a512cfcc5a2b104f24ebf2d6cda772b',
         evidence='its own deprecation messages say the deprecated options "will be removed in v0.12.0"',
         exclude_defaults=[]),
    dict(version='0.24', dir='hawkin-06c84c9', kwargs='hawkin-06c84c9-kwargs', repository='github.com/hawkin-dono/offload_vllm_024',
         commit='06c84c9ed901bdb858fa012abe60c82b3d955a7f',
         evidence='the fork is named for vLLM 0.24 (not verified from its tree); it is newer than 0.11 (no --swap-space, '
                  'has --stream-interval and --attention-config); the options of its own ExpertCacheOffloadConfig are left out',
         exclude_defaults=['ExpertCacheOffloadConfig']),
]

# Options only vLLM has: content detection wants one of these before it calls a YAML file a vLLM config.
DISTINCTIVE = {
    'max-model-len', 'tensor-parallel-size', 'pipeline-parallel-size', 'data-parallel-size', 'gpu-memory-utilization',
    'kv-cache-dtype', 'max-num-seqs', 'max-num-batched-tokens', 'enable-prefix-caching', 'enforce-eager',
    'served-model-name', 'quantization', 'speculative-config', 'swap-space', 'block-size', 'cpu-offload-gb',
    'enable-chunked-prefill', 'tool-call-parser', 'reasoning-parser', 'enable-auto-tool-choice', 'async-scheduling',
    'max-cudagraph-capture-size', 'stream-interval', 'compilation-config', 'enable-expert-parallel', 'chat-template',
    'enable-lora', 'kv-cache-memory-bytes', 'attention-config', 'trust-remote-code', 'limit-mm-per-prompt',
}
# Choice lists that platforms and plugins extend: a value outside the list is a warning, not an error.
OPEN_CHOICES = {'kv-cache-dtype', 'quantization', 'load-format', 'attention-backend', 'mm-encoder-attn-backend'}
# Where a removed option's own deprecation text names no replacement, what replaced it (with the reason).
REPLACED_BY = {
    # AsyncEngineArgs' deprecation decorator: "replaced with `enable_log_requests`", which defaults to False.
    'disable-log-requests': 'nothing: vLLM logs no requests unless --enable-log-requests is given',
}


def read(path):
    with open(path, encoding='utf8') as f:
        return f.read()


def field_bounds():
    """pydantic Field(gt=, ge=, lt=, le=) bounds of config fields in the alias sources → option name → bounds."""
    out = {}
    for a in ALIASES:
        tree = ast.parse(read(os.path.join(SRC, a['dir'], a['file'])))
        for node in ast.walk(tree):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(node.value, ast.Call) \
                    and getattr(node.value.func, 'id', '') == 'Field':
                b = {}
                for k in node.value.keywords:
                    if k.arg in ('gt', 'ge', 'lt', 'le') and isinstance(k.value, ast.Constant) and isinstance(k.value.value, (int, float)):
                        b[{'gt': 'xmin', 'ge': 'min', 'lt': 'xmax', 'le': 'max'}[k.arg]] = k.value.value
                if b:
                    out[node.target.id.replace('_', '-')] = b
    return out


def literal_aliases():
    out = {}
    for a in ALIASES:
        tree = ast.parse(read(os.path.join(SRC, a['dir'], a['file'])))
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                vals = literal_values(node.value, out)
                if vals is not None:
                    out[node.targets[0].id] = vals
    return out


def literal_values(node, aliases):
    """Literal["a", "b"] → ["a", "b"]; Literal["auto", OtherAlias] expands known aliases; else None."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == 'Literal'):
        return None
    elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    vals = []
    for e in elts:
        if isinstance(e, ast.Constant):
            vals.append(str(e.value))
        elif isinstance(e, ast.Name) and e.id in aliases:
            vals.extend(aliases[e.id])
        elif isinstance(e, ast.Name) and e.id == 'RunnerType':
            # RunnerType lives in vllm/config/scheduler.py, not read here: the choice list stays open.
            return None
        else:
            return None
    return vals


def names_in(ann):
    """Every bare name in an annotation (int | None → {int, None}); strings are parsed as annotations."""
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode='eval').body
        except SyntaxError:
            return set(), None
    names, lit = set(), None
    for n in ast.walk(ann):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Constant) and n.value is None:
            names.add('None')
        elif isinstance(n, ast.Attribute):
            names.add(n.attr)
    for n in ast.walk(ann):
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == 'Literal':
            lit = literal_values(n, {})
    return names, lit


def kind_of(field, ann, aliases, human):
    """The value kind vLLM's _compute_kwargs gives a dataclass field, from its annotation."""
    names, lit = names_in(ann)
    top = ann.value.id if isinstance(ann, ast.Subscript) and isinstance(ann.value, ast.Name) else None
    alias_choices = [aliases[n] for n in names if n in aliases]
    dataclass_like = any(n.endswith('Config') and n not in ('ConfigFormat',) for n in names) or 'HfOverrides' in names
    if dataclass_like or names & {'dict', 'Dict', 'Mapping'} and not names & {'list', 'set'}:
        return dict(t='json')
    if {'bool', 'str', 'None'} <= names and len(names - {'bool', 'str', 'None'}) == 0:
        return dict(t='optstr')
    if 'bool' in names:
        return dict(t='bool')
    if lit is not None:
        return dict(t='enum', c=lit, open=('str' in names))
    if alias_choices:
        c = alias_choices[0]
        return dict(t='enum', c=c, open=('str' in names))
    if names & {'list', 'set', 'tuple'} or top in ('list', 'set', 'tuple'):
        return dict(t='list')
    if 'int' in names:
        return dict(t=human.get(field, 'int'))
    if 'float' in names:
        return dict(t='float')
    return dict(t='string')


def human_ints(text):
    """max_model_len → hrint-auto, the human_readable_ints → hrint (from _compute_kwargs' int branch)."""
    out = {}
    m = re.search(r'human_readable_ints\s*=\s*\{([^}]*)\}', text)
    if m:
        for f in re.findall(r'"(\w+)"', m.group(1)):
            out[f] = 'hrint'
    if re.search(r'name == "max_model_len":\s*\n\s*kwargs\[name\]\["type"\] = human_readable_int_or_auto', text):
        out['max_model_len'] = 'hrint-auto'
    m = re.search(r'elif name in \(([^)]*)\):\s*\n\s*kwargs\[name\]\["type"\] = human_readable_int\b', text)
    if m:
        for f in re.findall(r'"(\w+)"', m.group(1)):
            out[f] = 'hrint'
    return out


def class_fields(tree, cls):
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls:
            out = {}
            for st in node.body:
                if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                    out[st.target.id] = st
            return out, node
    return {}, None


def const_str(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return ''.join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return (const_str(node.left) or '') + (const_str(node.right) or '')
    return None


def add_argument_calls(fn):
    """Every *.add_argument(...) call in a function, with the loop `for arg, type in [...]` unrolled."""
    calls = []
    for node in ast.walk(fn):
        if isinstance(node, ast.For) and isinstance(node.iter, ast.List):
            for elt in node.iter.elts:
                if isinstance(elt, ast.Tuple) and isinstance(elt.elts[0], ast.Constant):
                    for sub in ast.walk(node):
                        if isinstance(sub, ast.Call) and getattr(sub.func, 'attr', '') == 'add_argument':
                            calls.append((sub, elt.elts[0].value, elt.elts[1].id if isinstance(elt.elts[1], ast.Name) else None))
    looped = {id(c[0]) for c in calls}
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and getattr(node.func, 'attr', '') == 'add_argument' and id(node) not in looped:
            calls.append((node, None, None))
    calls.sort(key=lambda c: (c[0].lineno, c[1] or ''))
    return calls


def option_from_call(call, loop_name, loop_type, fields, aliases, human, excluded):
    names = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if loop_name:
        names = [loop_name]
    if not names or not names[0].startswith('-'):
        return None
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    long = next((n for n in names if n.startswith('--')), names[0])
    dest = const_str(kw['dest']) if 'dest' in kw else long.lstrip('-').replace('-', '_')
    opt = dict(n=long.lstrip('-').replace('_', '-'))
    shorts = [n for n in names if n != long]
    if shorts:
        opt['a'] = shorts
    field = fields.get(dest)
    if field is not None and any(ex in ast.unparse(field.value) for ex in excluded if field.value is not None):
        return 'excluded'
    action = kw.get('action')
    action_s = ast.unparse(action) if action is not None else ''
    if action_s == "'store_true'" or action_s == '"store_true"':
        opt['t'] = 'flag'
    elif 'BooleanOptionalAction' in action_s:
        opt['t'] = 'bool'
    elif 'choices' in kw and isinstance(kw['choices'], ast.List):
        opt.update(t='enum', c=[str(e.value) for e in kw['choices'].elts if isinstance(e, ast.Constant)], open=False)
    elif 'type' in kw and isinstance(kw['type'], ast.Name) and kw['type'].id in ('int', 'float', 'str', 'bool'):
        opt['t'] = {'int': 'int', 'float': 'float', 'str': 'string', 'bool': 'bool'}[kw['type'].id]
        if kw['type'].id == 'str' and 'nargs' in kw:
            opt['t'] = 'optstr'
    elif loop_type:
        opt['t'] = {'str': 'string', 'bool': 'bool'}.get(loop_type, 'string')
    elif field is not None:
        opt.update(kind_of(dest, field.annotation, aliases, human))
    else:
        opt['t'] = 'string'
    if opt.get('t') == 'enum' and opt['n'] in OPEN_CHOICES:
        opt['open'] = True
    if opt.get('t') == 'enum' and not opt.get('open'):
        opt.pop('open', None)
    dep = kw.get('deprecated')
    if dep is not None and isinstance(dep, ast.Constant) and dep.value is True:
        help_text = const_str(kw['help']) if 'help' in kw else None
        opt['dep'] = help_text or 'deprecated'
    if opt['n'] in DISTINCTIVE:
        opt['d'] = True
    return opt


def frontend_options(aliases):
    path = os.path.join(SRC, FRONTEND['dir'], FRONTEND['file'])
    tree = ast.parse(read(path))
    out = []
    for cls in ('BaseFrontendArgs', 'FrontendArgs'):
        fields, _ = class_fields(tree, cls)
        for name, st in fields.items():
            opt = dict(n=name.replace('_', '-'))
            opt.update(kind_of(name, st.annotation, aliases, {}))
            if opt.get('t') == 'enum' and not opt.get('open'):
                opt.pop('open', None)
            if opt['n'] in DISTINCTIVE:
                opt['d'] = True
            opt['g'] = cls
            out.append(opt)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == 'make_arg_parser':
            for call, _, _ in add_argument_calls(node):
                o = option_from_call(call, None, None, {}, aliases, {}, [])
                if o and o != 'excluded':
                    o['g'] = 'serve'
                    out.append(o)
    return out


def engine_options(v, aliases):
    text = read(os.path.join(SRC, v['dir'], 'vllm/engine/arg_utils.py'))
    tree = ast.parse(text)
    human = human_ints(read(os.path.join(SRC, v['kwargs'], 'compute_kwargs.py')))
    fields, _ = class_fields(tree, 'EngineArgs')
    async_fields, _ = class_fields(tree, 'AsyncEngineArgs')
    fields = {**fields, **async_fields}
    out, excluded = [], 0
    for cls in ('EngineArgs', 'AsyncEngineArgs'):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == cls:
                for fn in node.body:
                    if isinstance(fn, ast.FunctionDef) and fn.name == 'add_cli_args':
                        group = None
                        for call, ln, lt in add_argument_calls(fn):
                            o = option_from_call(call, ln, lt, fields, aliases, human, v['exclude_defaults'])
                            if o == 'excluded':
                                excluded += 1
                                continue
                            if o:
                                o['g'] = cls
                                out.append(o)
    return out, excluded


def joined_strings(text):
    """Python source with adjacent string literals joined, so a message split over lines reads as one."""
    return re.sub(r'"\s*\n\s*(?:f)?"', '', text)


def replacement_in(text, name, dep):
    """What the source says replaces --name: its deprecation help, or a message "--name ... deprecated ... use --x"."""
    for t in (dep, *re.findall(r'"([^"]*' + re.escape(name) + r'[^"]*deprecated[^"]*)"', joined_strings(text))):
        m = re.search(r'[Uu]se `?(--[\w-]+(?: [\w.-]+)?)`? instead', t or '')
        if m:
            return m.group(1)
    return None


def main():
    aliases = literal_aliases()
    bounds = field_bounds()
    front = frontend_options(aliases)
    tables = []
    for v in VERSIONS:
        engine, excluded = engine_options(v, aliases)
        seen = {o['n'] for o in engine}
        opts = engine + [o for o in front if o['n'] not in seen]
        for o in opts:
            if o['n'] in bounds and o['t'] in ('int', 'float', 'hrint'):
                o['b'] = bounds[o['n']]
        tables.append(dict(version=v['version'], repository=v['repository'], commit=v['commit'], evidence=v['evidence'],
                           excludedForkOptions=excluded, options=opts,
                           _text=read(os.path.join(SRC, v['dir'], 'vllm/engine/arg_utils.py'))))
    # Removals: an option a version has and the next one does not. The replacement is what the older
    # version's deprecation text names ("use --x instead"), else REPLACED_BY.
    for older, newer in zip(tables, tables[1:]):
        names = {o['n'] for o in newer['options']}
        removed = []
        for o in older['options']:
            if o['n'] in names:
                continue
            by = replacement_in(older['_text'], o['n'], o.get('dep', '')) or REPLACED_BY.get(o['n'])
            removed.append(dict(n=o['n'], by=by))
        newer['removed'] = removed
    for t in tables:
        del t['_text']
    lines = [
        '// GENERATED by scripts/gen-vllm-options.py from vLLM\'s own sources — do not edit; regenerate.',
        '// One table per vLLM version: the options `vllm serve` accepts (n = long name, a = short forms, t = value kind,',
        '// c = choices, open = choices that platforms extend, dep = deprecation text, d = distinctive for detection,',
        '// g = the class that registers it, b = pydantic bounds), and the options the previous table had that this one removed.',
        f'// Frontend (API server) options for every table: {FRONTEND["repository"]} @{FRONTEND["commit"]} {FRONTEND["file"]}.',
        '// Literal choice lists: ' + '; '.join(f'{a["file"]} @{a["commit"][:12]}' for a in ALIASES) + '.',
        "import type { GeneratedVllmTable } from './tableTypes';",
        '',
        'export const VLLM_GENERATED_TABLES: readonly GeneratedVllmTable[] = ' + json.dumps(tables, indent=1, ensure_ascii=False) + ';',
        '',
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', encoding='utf8') as f:
        f.write('\n'.join(lines))
    for t in tables:
        print(f"vLLM {t['version']}: {len(t['options'])} options, {len(t.get('removed', []))} removed since the previous table, "
              f"{t['excludedForkOptions']} fork-only options left out ({t['repository']} @{t['commit'][:12]})")


main()
