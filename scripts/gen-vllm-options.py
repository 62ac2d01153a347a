#!/usr/bin/env python3
# Regenerates src/core/formats/vllm/tables.generated.ts — the options `vllm serve` accepts, one table per vLLM
# minor release — from vLLM's own sources at each release tag, read with Python's ast (nothing is imported or run).
#
#   python3 scripts/gen-vllm-options.py /path/to/vllm/.git
#
# The argument is a git directory of vLLM that carries upstream's release tags (v0.10.2 … v0.27.1). The one used
# for the committed output is the search tool's snapshot of the fork gabewillen/vllm, whose tags are upstream's:
# v0.11.0, v0.23.0 and v0.25.1 point at the commits that independent builds' setuptools-scm version files name
# (vllm/_version.py of Weigaa/qwen30b_tpu_verl 'gb8b302cde', of Mrw33554432/vllm 'g0fc695fc6', and a
# '0.25.2.dev0+g752a3a504' build). Every table records its tag and commit.
#
# What is emulated, per tag, is how vLLM builds its parser:
#   vllm/entrypoints/openai/cli_args.py make_arg_parser → FrontendArgs.add_cli_args → AsyncEngineArgs.add_cli_args
#   → EngineArgs.add_cli_args (vllm/engine/arg_utils.py): every add_argument call, with `**x_kwargs["field"]`
#   resolved the way _compute_kwargs does it from the config dataclass field's annotation (Literal → choices,
#   `str | Literal` → open choices, bool → --x/--no-x, int → int / human_readable_int / _or_auto, dataclass →
#   JSON, ...), and the edits add_cli_args makes to those kwargs (type, choices, nargs, action, deprecated).
# Bounds (item 2 of issue 11): pydantic Field(ge=, gt=, le=, lt=) of the config field, and `if self.field <op>
# number: raise ...` checks in the config class's own methods (__post_init__, _verify_args, validators). Options
# vLLM does not check get no bound.
# Removals: an option the previous minor had and this one does not; the replacement is what vLLM's own text says
# ("use --x instead" in a deprecation help or warning), else REPLACED_BY below (with the reason).
import ast, json, os, re, subprocess, sys

GIT = sys.argv[1] if len(sys.argv) > 1 else '/work/.mirror/gabewillen+vllm/repo'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'core', 'formats', 'vllm', 'tables.generated.ts')
READ_FROM = 'github.com/gabewillen/vllm (a fork carrying upstream vLLM\'s release tags)'

# One table per minor release, from its newest patch tag. Oldest first.
VERSIONS = [
    ('0.8', 'v0.8.5.post1'), ('0.9', 'v0.9.2'), ('0.10', 'v0.10.2'), ('0.11', 'v0.11.2'), ('0.12', 'v0.12.0'), ('0.13', 'v0.13.0'), ('0.14', 'v0.14.1'),
    ('0.15', 'v0.15.1'), ('0.16', 'v0.16.0'), ('0.17', 'v0.17.1'), ('0.18', 'v0.18.1'), ('0.19', 'v0.19.1'),
    ('0.20', 'v0.20.2'), ('0.21', 'v0.21.0'), ('0.22', 'v0.22.1'), ('0.23', 'v0.23.0'), ('0.24', 'v0.24.0'),
    ('0.25', 'v0.25.1'), ('0.26', 'v0.26.0'), ('0.27', 'v0.27.1'),
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
# Choice lists that platforms and plugins extend (out-of-tree quantization methods, platform cache dtypes and
# attention backends): a value outside the list is a warning, not an error.
OPEN_CHOICES = {'kv-cache-dtype', 'quantization', 'load-format', 'attention-backend', 'mm-encoder-attn-backend'}
# Where a removed option's own deprecation text names no replacement, what replaced it (with the reason).
REPLACED_BY = {
    # AsyncEngineArgs' deprecation text in 0.11: "replaced with `enable_log_requests`", which defaults to False.
    'disable-log-requests': 'nothing: vLLM logs no requests unless --enable-log-requests is given',
}

BUILTIN_LEAVES = {'bool': 'bool', 'str': 'str', 'int': 'int', 'float': 'float', 'dict': 'dict', 'Dict': 'dict',
                  'list': 'list', 'List': 'list', 'set': 'set', 'Set': 'set', 'tuple': 'tuple', 'Tuple': 'tuple',
                  'bytes': 'builtin', 'type': 'builtin', 'object': 'builtin', 'Type': 'builtin'}


def git(*args):
    return subprocess.run(['git', '--git-dir', GIT, *args], check=True, capture_output=True, text=True).stdout


class Source:
    """One release tag: files read with `git show`, classes and type aliases found by name across vllm/."""

    def __init__(self, tag):
        self.tag = tag
        self.commit = git('rev-parse', tag + '^{commit}').strip()
        self.date = git('log', '-1', '--format=%as', tag).strip()
        self.texts, self.trees, self.class_cache, self.alias_cache, self.const_cache = {}, {}, {}, {}, {}
        self.paths = [p for p in git('ls-tree', '-r', '--name-only', tag, '--', 'vllm').split('\n') if p.endswith('.py')]

    def text(self, path):
        if path not in self.texts:
            try:
                self.texts[path] = git('show', f'{self.tag}:{path}')
            except subprocess.CalledProcessError:
                self.texts[path] = None
        return self.texts[path]

    def tree(self, path):
        if path not in self.trees:
            t = self.text(path)
            self.trees[path] = ast.parse(t) if t is not None else None
        return self.trees[path]

    def grep(self, regex):
        """Files defining a name at module level (`class X`, `X = `, `X: TypeAlias =`), from one index per tag."""
        if not hasattr(self, 'defs'):
            self.defs = {}
            out = git('grep', '-n', '-E', r'^(class [A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*(: *TypeAlias)? *=)', self.tag, '--', 'vllm/*.py')
            for line in out.split('\n'):
                parts = line.split(':', 3)
                if len(parts) < 4:
                    continue
                m = re.match(r'(?:class )?([A-Za-z_][A-Za-z0-9_]*)', parts[3])
                if m:
                    self.defs.setdefault(m.group(1), []).append((parts[1], parts[3]))
        name = re.match(r'\^(?:class )?([A-Za-z_][A-Za-z0-9_]*)', regex).group(1)
        rx = re.compile(regex)
        return list(dict.fromkeys(p for p, line in self.defs.get(name, []) if rx.search(line)))

    def find_class(self, name):
        if name not in self.class_cache:
            found = None
            for p in self.grep(rf'^class {name}\b'):
                tr = self.tree(p)
                for n in tr.body:
                    if isinstance(n, ast.ClassDef) and n.name == name:
                        found = (p, n)
                        break
                if found:
                    break
            self.class_cache[name] = found
        return self.class_cache[name]

    def find_alias(self, name, prefer=None):
        """A module-level `Name = <type>` / `Name: TypeAlias = <type>`, preferring the module that uses it."""
        key = (name, prefer)
        if key not in self.alias_cache:
            found = None
            paths = ([prefer] if prefer else []) + self.grep(rf'^{name}(: *TypeAlias)? *=')
            for p in paths:
                tr = self.tree(p) if p else None
                if not tr:
                    continue
                for n in tr.body:
                    if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name:
                        found = (p, n.value)
                    elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.target.id == name and n.value is not None:
                        found = (p, n.value)
                if found:
                    break
            self.alias_cache[key] = found
        return self.alias_cache[key]

    def constant(self, name, path):
        """A module-level numeric/string constant (DEFAULT_MAX_NUM_SEQS = 128)."""
        hit = self.find_alias(name, path)
        if hit and isinstance(hit[1], ast.Constant) and isinstance(hit[1].value, (int, float, str)) and not isinstance(hit[1].value, bool):
            return hit[1].value
        return None


# ---------------------------------------------------------------------------------------------------------------
# Annotations → type-hint leaves, as vllm's get_type_hints flattens them (Annotated, Optional, Union, X | Y).

def is_config_dataclass(cls_node):
    for d in cls_node.decorator_list:
        s = ast.unparse(d)
        if re.search(r'\b(config|dataclass|dataclasses\.dataclass|pydantic\.dataclasses\.dataclass)\b', s):
            return True
    return False


def is_enum(cls_node):
    return any(re.search(r'Enum\b', ast.unparse(b)) for b in cls_node.bases)


def leaves(src, node, path, depth=0):
    """Set of leaves: ('bool',) ('str',) ('int',) ('float',) ('None',) ('dict',) ('list',) ('set',) ('tuple',)
    ('literal', values) ('dataclass', name) ('other', name)."""
    if depth > 12 or node is None:
        return {('other', '?')}
    if isinstance(node, ast.Constant):
        if node.value is None:
            return {('None',)}
        if isinstance(node.value, str):
            try:
                return leaves(src, ast.parse(node.value, mode='eval').body, path, depth + 1)
            except SyntaxError:
                return {('other', node.value)}
        return {('other', repr(node.value))}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return leaves(src, node.left, path, depth + 1) | leaves(src, node.right, path, depth + 1)
    if isinstance(node, ast.Subscript):
        head = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, 'id', None)
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == 'Optional':
            return leaves(src, args[0], path, depth + 1) | {('None',)}
        if head == 'Union':
            out = set()
            for a in args:
                out |= leaves(src, a, path, depth + 1)
            return out
        if head in ('Annotated', 'SkipValidation'):
            return leaves(src, args[0], path, depth + 1)
        if head == 'Literal':
            vals = []
            for a in args:
                if isinstance(a, ast.Constant):
                    vals.append(a.value)
                else:
                    for lf in leaves(src, a, path, depth + 1):
                        if lf[0] == 'literal':
                            vals.extend(lf[1])
            return {('literal', tuple(vals))}
        if head in BUILTIN_LEAVES:
            kind = BUILTIN_LEAVES[head]
            if kind == 'list' or kind == 'set' or kind == 'tuple':
                return {(kind,)}
            return {(kind,)}
        return {('other', head or '?')}
    if isinstance(node, ast.Name):
        n = node.id
        if n in BUILTIN_LEAVES:
            return {(BUILTIN_LEAVES[n],)}
        if n in ('None', 'NoneType'):
            return {('None',)}
        if n in ('Any', 'Callable'):
            return {('other', n)}
        alias = src.find_alias(n, path)
        if alias is not None and not isinstance(alias[1], ast.Call):
            inner = leaves(src, alias[1], alias[0], depth + 1)
            if inner != {('other', '?')}:
                return inner
        cls = src.find_class(n)
        if cls is not None:
            if is_enum(cls[1]):
                return {('other', n)}
            if is_config_dataclass(cls[1]):
                return {('dataclass', n)}
        return {('other', n)}
    if isinstance(node, ast.Attribute):
        return {('other', node.attr)}
    return {('other', ast.unparse(node))}


def has(ls, kind):
    return any(lf[0] == kind for lf in ls)


def kind_from_leaves(field, ls, human):
    """_compute_kwargs' branches, in its order."""
    kinds = {lf[0] for lf in ls}
    opt = {}
    if 'dataclass' in kinds:
        opt['t'] = 'json'
    elif kinds == {'bool', 'str', 'None'}:
        opt['t'] = 'optstr'
    elif 'bool' in kinds:
        opt['t'] = 'bool'
    elif 'literal' in kinds:
        vals = next(lf[1] for lf in ls if lf[0] == 'literal')
        opt['t'] = 'enum'
        try:
            opt['c'] = [str(v) for v in sorted(vals)]
        except TypeError:
            opt['c'] = [str(v) for v in vals]
        if vals and isinstance(vals[0], int) and not isinstance(vals[0], bool):
            opt['ci'] = True
        if 'str' in kinds:
            opt['open'] = True
    elif kinds & {'tuple', 'list', 'set'}:
        opt['t'] = 'list'
    elif 'int' in kinds:
        opt['t'] = human.get(field, 'int')
    elif 'float' in kinds:
        opt['t'] = 'float'
    elif 'dict' in kinds and ('str' in kinds or 'other' in kinds):
        opt['t'] = 'dictstr'
    elif 'dict' in kinds:
        opt['t'] = 'json'
    else:
        opt['t'] = 'string'
    if 'None' in kinds and 'bool' not in kinds and opt['t'] not in ('json', 'dictstr'):
        opt['nul'] = True
        if opt['t'] == 'enum' and not opt.get('open'):
            opt['c'].append('None')
    return opt


def human_ints(src):
    """Which int fields take human-readable sizes, from _compute_kwargs' int branch of this tag."""
    tr = src.tree('vllm/engine/arg_utils.py')
    out = {}
    for fn in ast.walk(tr):
        if not (isinstance(fn, ast.FunctionDef) and fn.name in ('_compute_kwargs', 'get_kwargs')):
            continue
        sets = {}
        for n in ast.walk(fn):
            if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name) and isinstance(n.value, (ast.Set, ast.Tuple, ast.List)):
                sets[n.targets[0].id] = [e.value for e in n.value.elts if isinstance(e, ast.Constant)]
        for n in ast.walk(fn):
            if not isinstance(n, ast.If) or not isinstance(n.test, ast.Compare):
                continue
            body = ast.unparse(ast.Module(body=n.body, type_ignores=[]))
            kind = 'hrint-auto' if 'human_readable_int_or_auto' in body else 'hrint' if 'human_readable_int' in body else None
            if not kind:
                continue
            c = n.test.comparators[0]
            names = [c.value] if isinstance(c, ast.Constant) else \
                [e.value for e in c.elts if isinstance(e, ast.Constant)] if isinstance(c, (ast.Set, ast.Tuple, ast.List)) else \
                sets.get(c.id, []) if isinstance(c, ast.Name) else []
            for f in names:
                out.setdefault(f, kind)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Config classes: fields (with bases), bounds from Field(...) and from the class's own checks.

def class_fields(src, name, seen=None):
    """Ordered {field: (AnnAssign, path, class name)} with bases' fields first, as dataclasses.fields orders them."""
    hit = src.find_class(name)
    if not hit:
        return {}
    path, node = hit
    out = {}
    for b in node.bases:
        bn = b.id if isinstance(b, ast.Name) else None
        if bn and bn not in (seen or set()):
            out.update(class_fields(src, bn, (seen or set()) | {name}))
    for st in node.body:
        if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and not st.target.id.startswith('_'):
            if 'ClassVar' in ast.unparse(st.annotation):
                continue
            if st.value is not None and isinstance(st.value, ast.Call) and re.search(r'\binit\s*=\s*False', ast.unparse(st.value)):
                continue
            out[st.target.id] = (st, path, name)
    return out


BOUND_KEYS = {'ge': 'min', 'gt': 'xmin', 'le': 'max', 'lt': 'xmax'}
# A check `if self.f <op> n: raise` forbids a region: the bound is its complement.
FORBID = {ast.Lt: 'min', ast.LtE: 'xmin', ast.Gt: 'max', ast.GtE: 'xmax'}
FORBID_REV = {ast.Gt: 'min', ast.GtE: 'xmin', ast.Lt: 'max', ast.LtE: 'xmax'}  # n <op> self.f


def number(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = number(node.operand)
        return -v if v is not None else None
    return None


def field_call_bounds(call):
    b = {}
    for k in call.keywords:
        if k.arg in BOUND_KEYS:
            v = number(k.value)
            if v is not None:
                b[BOUND_KEYS[k.arg]] = v
    return b


def field_bounds(st):
    """Field(ge=…) as the default, or inside Annotated[..., Field(ge=…)]."""
    b, how = {}, []
    calls = []
    if isinstance(st.value, ast.Call) and ast.unparse(st.value.func).split('.')[-1] == 'Field':
        calls.append(st.value)
    for n in ast.walk(st.annotation):
        if isinstance(n, ast.Call) and ast.unparse(n.func).split('.')[-1] == 'Field':
            calls.append(n)
    for c in calls:
        cb = field_call_bounds(c)
        if cb:
            b.update(cb)
            how.append('Field(' + ', '.join(f'{k.arg}={ast.unparse(k.value)}' for k in c.keywords if k.arg in BOUND_KEYS) + ')')
    return b, how


def raises(body):
    return any(isinstance(s, ast.Raise) for s in body)


def check_bounds(cls_node):
    """`if self.f <op> n: raise …` (also `a or b` of such, and `not (lo <= self.f <= hi)`) in the class's methods."""
    out = {}

    def add(field, key, v, where):
        out.setdefault(field, ({}, []))
        out[field][0][key] = v
        out[field][1].append(where)

    def compares(test):
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            r = []
            for v in test.values:
                sub = compares(v)
                if sub is None:
                    return None
                r += sub
            return r
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            left, right, op = test.left, test.comparators[0], type(test.ops[0])
            if isinstance(left, ast.Attribute) and isinstance(left.value, ast.Name) and left.value.id == 'self' and number(right) is not None and op in FORBID:
                return [(left.attr, FORBID[op], number(right))]
            if isinstance(right, ast.Attribute) and isinstance(right.value, ast.Name) and right.value.id == 'self' and number(left) is not None and op in FORBID_REV:
                return [(right.attr, FORBID_REV[op], number(left))]
            return None
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Compare) and len(test.operand.ops) == 2:
            c = test.operand
            lo, mid, hi = c.left, c.comparators[0], c.comparators[1]
            if isinstance(mid, ast.Attribute) and isinstance(mid.value, ast.Name) and mid.value.id == 'self' and number(lo) is not None and number(hi) is not None:
                k1 = 'min' if isinstance(c.ops[0], ast.LtE) else 'xmin'
                k2 = 'max' if isinstance(c.ops[1], ast.LtE) else 'xmax'
                return [(mid.attr, k1, number(lo)), (mid.attr, k2, number(hi))]
        return None

    def unconditional(body):
        # Statements that run whenever the method runs: the body's own, and those of with/try blocks in it;
        # a check nested under another condition (a platform, another option) is not a bound of the option.
        for st in body:
            yield st
            if isinstance(st, (ast.With, ast.Try)):
                yield from unconditional(st.body)

    for fn in cls_node.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for n in unconditional(fn.body):
            if isinstance(n, ast.If) and raises(n.body):
                cs = compares(n.test)
                for f, k, v in cs or []:
                    add(f, k, v, f'{cls_node.name}.{fn.name}: `if {ast.unparse(n.test)}: raise`')
    return out


def field_default(src, st, path):
    v = st.value
    if isinstance(v, ast.Call) and ast.unparse(v.func).split('.')[-1] == 'Field':
        v = next((k.value for k in v.keywords if k.arg == 'default'), v.args[0] if v.args else None)
    if v is None:
        return None
    n = number(v)
    if n is not None:
        return n
    if isinstance(v, ast.Constant) and isinstance(v.value, (str, bool)):
        return v.value
    if isinstance(v, ast.Name):
        return src.constant(v.id, path)
    return None


# ---------------------------------------------------------------------------------------------------------------
# The parser-building code, walked statement by statement.

class Walker:
    def __init__(self, src):
        self.src = src
        self.human = human_ints(src)
        self.options = {}
        self.order = []
        self.visited = set()
        self.checks = {}

    def field_option(self, cls, field):
        fs = class_fields(self.src, cls)
        if field not in fs:
            return {'t': 'string'}, None
        st, path, owner = fs[field]
        ls = leaves(self.src, st.annotation, path)
        opt = kind_from_leaves(field, ls, self.human)
        b, how = field_bounds(st)
        if 'SkipValidation' in ast.unparse(st.annotation):
            # pydantic skips every check of a SkipValidation field, its Field constraints included.
            b, how = {}, []
        if owner not in self.checks:
            hit = self.src.find_class(owner)
            self.checks[owner] = check_bounds(hit[1]) if hit else {}
        if field in self.checks[owner]:
            cb, where = self.checks[owner][field]
            for k, v in cb.items():
                b.setdefault(k, v)
            how += where
        if b and opt['t'] in ('int', 'hrint', 'hrint-auto', 'float'):
            opt['b'] = b
            opt['bs'] = f'{owner}.{field} ' + '; '.join(how)
        d = field_default(self.src, st, path)
        if d is not None:
            opt['df'] = d
        return opt, (owner, field)

    def resolve_fn(self, cls, method):
        hit = self.src.find_class(cls)
        while hit:
            for st in hit[1].body:
                if isinstance(st, ast.FunctionDef) and st.name == method:
                    return st, cls
            base = next((b.id for b in hit[1].bases if isinstance(b, ast.Name)), None)
            if not base:
                return None, None
            cls, hit = base, self.src.find_class(base)
        return None, None

    def module_fn(self, path, name):
        tr = self.src.tree(path)
        for st in tr.body if tr else []:
            if isinstance(st, ast.FunctionDef) and st.name == name:
                return st
        return None

    def walk_fn(self, fn, bound, env, group):
        key = (id(fn), bound, tuple(sorted((k, str(v)) for k, v in env.items())))
        if key in self.visited:
            return
        self.visited.add(key)
        self.stmts(fn.body, bound, dict(env), group)

    def stmts(self, body, bound, env, group):
        for st in body:
            self.stmt(st, bound, env, group)

    def kwref(self, node, env):
        """`x_kwargs["field"]` → ('entry', cls, field); a Name bound to an entry → that entry."""
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in env and isinstance(node.slice, ast.Constant):
            b = env[node.value.id]
            if b[0] == 'kwargs':
                return ('entry', b[1], node.slice.value)
        if isinstance(node, ast.Name) and node.id in env and env[node.id][0] in ('entry', 'each'):
            return env[node.id]
        return None

    def edit(self, target, value, env, op):
        """`x_kwargs["f"]["type"] = …`, `del x_kwargs["f"]["nargs"]`, `x_kwargs["f"]["choices"] += …`."""
        if not (isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant)):
            return
        ref = self.kwref(target.value, env)
        if not ref or ref[0] != 'entry':
            return
        _, cls, field = ref
        edits = self.edits.setdefault((cls, field), {})
        edits[target.slice.value] = (op, value)

    def stmt(self, st, bound, env, group):
        if isinstance(st, (ast.If, ast.With, ast.Try)):
            for part in ('body', 'orelse', 'finalbody'):
                self.stmts(getattr(st, part, []) or [], bound, env, group)
            for h in getattr(st, 'handlers', []) or []:
                self.stmts(h.body, bound, env, group)
            return
        if isinstance(st, ast.For):
            # for key, value in x_kwargs.items(): add_argument(f"--{key…}", **value)
            it = st.iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == 'items' \
                    and isinstance(it.func.value, ast.Name) and env.get(it.func.value.id, ('',))[0] == 'kwargs' \
                    and isinstance(st.target, ast.Tuple) and len(st.target.elts) == 2:
                env2 = dict(env)
                env2[st.target.elts[1].id] = ('each', env[it.func.value.id][1])
                self.stmts(st.body, bound, env2, group)
                return
            self.stmts(st.body, bound, env, group)
            return
        if isinstance(st, ast.Assign):
            t, v = st.targets[0], st.value
            if isinstance(t, ast.Name):
                if isinstance(v, ast.Call) and ast.unparse(v.func).split('.')[-1] == 'get_kwargs' and v.args:
                    a = v.args[0]
                    cls = bound if isinstance(a, ast.Name) and a.id == 'cls' else ast.unparse(a).split('.')[-1]
                    env[t.id] = ('kwargs', cls)
                    return
                ref = self.kwref(v, env)
                if ref:
                    env[t.id] = ref
                    return
                if isinstance(v, ast.Call):
                    self.call(v, bound, env, group, assign_to=t.id)
                return
            if isinstance(t, ast.Subscript):
                self.edit(t, v, env, 'set')
                return
        if isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Subscript):
            self.edit(st.target, st.value, env, 'aug')
            return
        if isinstance(st, ast.Delete):
            for t in st.targets:
                self.edit(t, None, env, 'del')
            return
        if isinstance(st, (ast.Expr, ast.Return)) and isinstance(st.value, ast.Call):
            self.call(st.value, bound, env, group)
            return
        for n in ast.walk(st):
            if isinstance(n, ast.Call) and getattr(n.func, 'attr', '') == 'add_argument':
                self.add_argument(n, env, group)

    def call(self, c, bound, env, group, assign_to=None):
        f = c.func
        if isinstance(f, ast.Attribute) and f.attr == 'add_argument':
            self.add_argument(c, env, group)
            return
        # X.add_cli_args(parser), cls._customize_cli_kwargs(kw), super()._customize_cli_kwargs(kw)
        if isinstance(f, ast.Attribute):
            owner = f.value
            cls = None
            if isinstance(owner, ast.Name):
                cls = bound if owner.id == 'cls' else owner.id
                start = cls
            elif isinstance(owner, ast.Call) and ast.unparse(owner.func) == 'super' and bound:
                hit = self.src.find_class(bound)
                start = next((b.id for b in hit[1].bases if isinstance(b, ast.Name)), None) if hit else None
            else:
                start = None
            if start:
                fn, _ = self.resolve_fn(start, f.attr)
                if fn is not None and (f.attr.startswith('add_cli_args') or f.attr.startswith('_customize')):
                    params = [a.arg for a in fn.args.args if a.arg not in ('self', 'cls')]
                    env2 = {}
                    for p, a in zip(params, c.args):
                        if isinstance(a, ast.Name) and a.id in env:
                            env2[p] = env[a.id]
                    self.walk_fn(fn, cls if isinstance(owner, ast.Name) and owner.id != 'cls' else bound, env2, start)
                    if assign_to and c.args and isinstance(c.args[0], ast.Name) and c.args[0].id in env:
                        env[assign_to] = env[c.args[0].id]
                    return
        for a in c.args:
            if isinstance(a, ast.Call):
                self.call(a, bound, env, group)

    def add_argument(self, c, env, group):
        names = [a.value for a in c.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        spread = next((k.value for k in c.keywords if k.arg is None), None)
        kw = {k.arg: k.value for k in c.keywords if k.arg}
        if isinstance(spread, ast.Dict):
            # **{**x_kwargs["field"], "default": None}: the field's kwargs with some keys replaced.
            inner = spread
            spread = next((v for k, v in zip(inner.keys, inner.values) if k is None), None)
            for k, v in zip(inner.keys, inner.values):
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    kw[k.value] = v
        ref = self.kwref(spread, env) if spread is not None else None
        if ref and ref[0] == 'each':
            for field in class_fields(self.src, ref[1]):
                self.register(['--' + field.replace('_', '-')], ref[1], field, kw, group)
            return
        if not names or not names[0].startswith('-'):
            return
        if ref:
            self.register(names, ref[1], ref[2], kw, group)
        else:
            self.register(names, None, None, kw, group)

    def register(self, names, cls, field, kw, group):
        long = next((n for n in names if n.startswith('--')), names[0])
        name = long.lstrip('-').replace('_', '-')
        if name in self.options:
            return
        if cls:
            opt, _ = self.field_option(cls, field)
            for k, (op, v) in self.edits.get((cls, field), {}).items():
                apply_edit(opt, k, op, v, self.src)
        else:
            opt = {'t': 'string'}
        for k, v in kw.items():
            apply_edit(opt, k, 'set', v, self.src)
        o = {'n': name}
        shorts = [n for n in names if n != long]
        if shorts:
            o['a'] = shorts
        o.update(opt)
        if o.get('t') == 'enum' and o['n'] in OPEN_CHOICES:
            o['open'] = True
        if o.get('t') == 'enum' and not o.get('open'):
            o.pop('open', None)
        if o['n'] in DISTINCTIVE:
            o['d'] = True
        o['g'] = cls or group or 'serve'
        if field and field.replace('_', '-') != name:
            o['f'] = field
        self.options[name] = o
        self.order.append(name)

    def run(self):
        self.edits = {}
        cli = 'vllm/entrypoints/openai/cli_args.py'
        fn = self.module_fn(cli, 'make_arg_parser')
        self.walk_fn(fn, None, {}, 'serve')
        return [self.options[n] for n in self.order]


def apply_edit(opt, key, op, v, src):
    """An argparse keyword (explicit, or an edit of the computed kwargs) applied to an option's kind."""
    s = ast.unparse(v) if v is not None else ''
    if key == 'action':
        if op == 'del':
            return
        if 'store_true' in s or 'store_false' in s:
            opt.clear(); opt['t'] = 'flag'
        elif 'BooleanOptionalAction' in s:
            keep = {k: opt[k] for k in ('df',) if k in opt}
            opt.clear(); opt.update(keep); opt['t'] = 'bool'
        elif 'append' in s:
            opt['rep'] = True
        elif s:
            # A custom action (LoRAParserAction, …) parses its own values.
            opt.clear(); opt['t'] = 'list'
    elif key == 'type':
        if op == 'del':
            return
        if re.search(r'json\.loads', s):
            opt['t'] = 'json'; opt.pop('c', None); opt.pop('open', None)
        elif re.search(r'\bhuman_readable_int_or_auto\b', s):
            opt['t'] = 'hrint-auto'
        elif re.search(r'\bhuman_readable_int\b', s):
            opt['t'] = 'hrint'
        elif re.search(r'^(optional_type\()?int\)?$', s):
            opt['t'] = 'int' if opt.get('t') != 'enum' else 'enum'
        elif re.search(r'^(optional_type\()?float\)?$', s):
            opt['t'] = 'float'
        elif opt.get('t') == 'enum':
            # A normalising type (lambda s: s.lower()…) keeps the choices argparse checks after it.
            opt['norm'] = True if 'lower' in s else opt.get('norm', False)
            if not opt['norm']:
                opt.pop('norm')
        elif opt.get('t') in ('list',) and s == 'str':
            pass
        else:
            for k in ('b', 'bs'):
                opt.pop(k, None)
            if opt.get('t') != 'list':
                opt['t'] = 'string'
    elif key == 'choices':
        if op == 'del':
            opt.pop('c', None)
            if opt.get('t') == 'enum':
                opt['t'] = 'string'
            return
        if op == 'aug':
            # Choices extended by computation (collect-detailed-traces' comma-joined pairs): accept as open.
            opt['open'] = True
            return
        vals = None
        if isinstance(v, (ast.List, ast.Tuple, ast.Set)) and all(isinstance(e, ast.Constant) for e in v.elts):
            vals = [str(e.value) for e in v.elts]
        elif isinstance(v, ast.Call) and ast.unparse(v.func) == 'get_args' and v.args and isinstance(v.args[0], ast.Name):
            lf = leaves(src, v.args[0], None)
            lit = [x for x in lf if x[0] == 'literal']
            if lit:
                vals = [str(x) for x in lit[0][1]]
        if vals is not None:
            opt['t'] = 'enum'; opt['c'] = vals; opt.pop('open', None)
        else:
            # Choices computed at run time (registries): not checked.
            opt['t'] = 'string'; opt.pop('c', None)
    elif key == 'nargs':
        if op == 'del':
            if opt.get('t') == 'list':
                opt['t'] = 'string'
            return
        if s in ("'+'", "'*'", '"+"', '"*"') and opt.get('t') not in ('json',):
            opt['t'] = 'list'
        elif s in ("'?'", '"?"') and opt.get('t') in ('string',):
            opt['t'] = 'optstr'
    elif key == 'deprecated':
        if op == 'set' and s == 'True':
            opt['dep'] = opt.get('dep') or 'deprecated'
    elif key == 'help':
        h = const_str(v)
        if h and re.match(r'\s*\[?deprecated', h, re.I):
            opt['dep'] = h.strip()
        if h and opt.get('dep') == 'deprecated':
            opt['dep'] = h.strip()
        if h:
            opt['_help'] = h


def const_str(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return ''.join(v.value if isinstance(v, ast.Constant) else '…' for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return (const_str(node.left) or '') + (const_str(node.right) or '')
    return None


def joined_strings(text):
    """Python source with adjacent string literals joined, so a message split over lines reads as one."""
    return re.sub(r'"\s*\n\s*(?:f)?"', '', text)


def replacement_in(texts, name, dep):
    """What vLLM's text says replaces --name: its deprecation help, or a message naming it deprecated + 'use --x'."""
    cands = [dep or '']
    for t in texts:
        cands += re.findall(r'"([^"]*' + re.escape(name) + r'[^"]*deprecated[^"]*)"', joined_strings(t or ''))
    for t in cands:
        m = re.search(r'[Uu]se `?(--[\w-]+(?: [\w.-]+)?)`? instead', t or '')
        if m and m.group(1).lstrip('-') != name:
            return m.group(1)
        m = re.search(r'[Rr]eplaced (?:with|by) `?(--[\w-]+)`?', t or '')
        if m and m.group(1).lstrip('-') != name:
            return m.group(1)
    return None


def main():
    tables, texts = [], []
    for version, tag in VERSIONS:
        src = Source(tag)
        opts = Walker(src).run()
        dep_help = {}
        for o in opts:
            h = o.pop('_help', None)
            if o.get('dep') and h:
                dep_help[o['n']] = h
        text = '\n'.join(t for t in (src.text('vllm/engine/arg_utils.py'), src.text('vllm/entrypoints/openai/cli_args.py')) if t)
        tables.append(dict(version=version, tag=tag, repository='github.com/vllm-project/vllm', commit=src.commit, date=src.date,
                           readFrom=READ_FROM, options=opts, _text=text))
        print(f'vLLM {version} ({tag} @{src.commit[:10]}, {src.date}): {len(opts)} options, '
              f'{sum(1 for o in opts if "b" in o)} with bounds', file=sys.stderr)
    for i in range(1, len(tables)):
        older, newer = tables[i - 1], tables[i]
        names = {o['n'] for o in newer['options']}
        removed = []
        for o in older['options']:
            if o['n'] in names:
                continue
            by = replacement_in([t['_text'] for t in tables[:i]], o['n'], o.get('dep', '')) or REPLACED_BY.get(o['n'])
            removed.append(dict(n=o['n'], by=by))
        newer['removed'] = removed
    # A shared pool: an option that is the same in several versions is written once.
    pool, index = [], {}
    for t in tables:
        ids = []
        for o in t['options']:
            key = json.dumps(o, sort_keys=True, ensure_ascii=False)
            if key not in index:
                index[key] = len(pool)
                pool.append(o)
            ids.append(index[key])
        t['options'] = ids
        del t['_text']
    lines = [
        '// GENERATED by scripts/gen-vllm-options.py from vLLM\'s own sources at each release tag — do not edit; regenerate.',
        '// One table per vLLM minor release (its newest patch tag): the options `vllm serve` accepts, as indices into',
        '// VLLM_OPTION_POOL (n = long name, a = short forms, t = value kind, c = choices, ci = integer choices, open =',
        '// choices that platforms extend, nul = "None" accepted, dep = deprecation text, d = distinctive for detection,',
        '// g = the class that registers it, f = its config field when named otherwise, df = default, b = bounds vLLM',
        '// enforces and bs = where, rep = may repeat, norm = value lower-cased first), and the options the previous',
        '// table had that this one removed (by = the replacement vLLM names).',
        f'// Read from {READ_FROM}.',
        "import type { GeneratedVllmOption, GeneratedVllmTableSource } from './tableTypes';",
        '',
        'export const VLLM_OPTION_POOL: readonly GeneratedVllmOption[] = [',
        *[' ' + json.dumps(o, ensure_ascii=False) + ',' for o in pool],
        '];',
        '',
        'export const VLLM_TABLE_SOURCES: readonly GeneratedVllmTableSource[] = [',
    ]
    for t in tables:
        opts = t['options']
        removed = t.get('removed', [])
        head = json.dumps({k: v for k, v in t.items() if k not in ('options', 'removed')}, ensure_ascii=False)[:-1]
        lines.append(' ' + head + ',')
        lines.append('  "options": ' + json.dumps(opts) + ',')
        lines.append('  "removed": ' + json.dumps(removed, ensure_ascii=False) + '},')
    lines += ['];', '']
    with open(OUT, 'w', encoding='utf8') as f:
        f.write('\n'.join(lines))
    if os.environ.get('KVLENS_VLLM_DUMP'):
        with open(os.environ['KVLENS_VLLM_DUMP'], 'w') as f:
            json.dump(dict(pool=pool, tables=tables), f)
    print(f'{len(pool)} distinct options in {len(tables)} tables → {OUT}', file=sys.stderr)


main()
