#!/usr/bin/env python3
# Regenerates src/core/formats/sglang/table.generated.ts — the options `python -m sglang.launch_server` accepts —
# from SGLang's own python/sglang/srt/server_args.py at a release tag, read with Python's ast (nothing is run).
#
#   python3 scripts/gen-sglang-options.py /path/to/sglang/.git [tag]
#
# The committed output was generated from the search tool's snapshot of the fork Fridge003/sglang, which carries
# upstream's release tags (v0.5.7 … v0.5.10.post1); the table records the tag and its commit. SGLang's parser is a
# plain argparse.ArgumentParser (prepare_server_args) filled by ServerArgs.add_cli_args with explicit
# add_argument calls: names, type, choices (module-level lists such as QUANTIZATION_CHOICES, spreads included),
# action (store_true, BooleanOptionalAction, DeprecatedAction), nargs and `default=ServerArgs.field`.
# (SGLang main after 0.5.10 derives most options from Annotated dataclass fields instead; not read here.)
import ast, json, os, subprocess, sys

GIT = sys.argv[1] if len(sys.argv) > 1 else '/work/.mirror/Fridge003+sglang/repo'
TAG = sys.argv[2] if len(sys.argv) > 2 else 'v0.5.10.post1'
PATH = 'python/sglang/srt/server_args.py'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'core', 'formats', 'sglang', 'table.generated.ts')
READ_FROM = "github.com/Fridge003/sglang (a fork carrying upstream SGLang's release tags)"


def git(*args):
    return subprocess.run(['git', '--git-dir', GIT, *args], check=True, capture_output=True, text=True).stdout


def main():
    commit = git('rev-parse', TAG + '^{commit}').strip()
    date = git('log', '-1', '--format=%as', TAG).strip()
    tree = ast.parse(git('show', f'{TAG}:{PATH}'))
    lists = {}
    for n in tree.body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            lists[n.targets[0].id] = n.value

    def values(node, depth=0):
        """A choices expression as constants, or None when it is computed at run time."""
        if depth > 6:
            return None
        if isinstance(node, ast.Name):
            return values(lists[node.id], depth + 1) if node.id in lists else None
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out = []
            for e in node.elts:
                if isinstance(e, ast.Constant):
                    out.append(str(e.value))
                elif isinstance(e, ast.Starred):
                    inner = values(e.value, depth + 1)
                    if inner is None:
                        return None
                    out += inner
                else:
                    return None
            return out
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            a, b = values(node.left, depth + 1), values(node.right, depth + 1)
            return a + b if a is not None and b is not None else None
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ('list', 'sorted', 'set') and node.args:
            return values(node.args[0], depth + 1)
        return None

    defaults = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.ClassDef) and n.name == 'ServerArgs':
            for st in n.body:
                if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and isinstance(st.value, ast.Constant):
                    defaults[st.target.id] = st.value.value
            fn = next(f for f in n.body if isinstance(f, ast.FunctionDef) and f.name == 'add_cli_args')
    options, seen = [], set()
    for c in ast.walk(fn):
        if not (isinstance(c, ast.Call) and getattr(c.func, 'attr', '') == 'add_argument'):
            continue
        names = [a.value for a in c.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if not names or not names[0].startswith('-'):
            continue
        kw = {k.arg: k.value for k in c.keywords if k.arg}
        o = {'n': names[0].lstrip('-')}
        if len(names) > 1:
            o['a'] = names[1:]
        action = ast.unparse(kw['action']) if 'action' in kw else ''
        typ = ast.unparse(kw['type']) if 'type' in kw else ''
        nargs = kw['nargs'].value if isinstance(kw.get('nargs'), ast.Constant) else None
        if 'store_true' in action or 'store_false' in action:
            o['t'] = 'flag'
        elif 'BooleanOptionalAction' in action:
            o['t'] = 'bool'
        elif action == 'DeprecatedAction':
            o['t'] = 'flag'
        elif 'DeprecatedStoreTrueAction' in action:
            o['t'] = 'flag'
        elif nargs in ('+', '*'):
            o['t'] = 'list'
        elif nargs == '?':
            o['t'] = 'optstr'
        elif 'choices' in kw:
            vals = values(kw['choices'])
            if vals is not None:
                o['t'] = 'enum'
                o['c'] = vals
            else:
                o['t'] = 'string'
        elif typ == 'int':
            o['t'] = 'int'
        elif typ == 'float':
            o['t'] = 'float'
        elif typ == 'human_readable_int':
            o['t'] = 'hrint'
        elif 'json' in typ:
            o['t'] = 'json'
        else:
            o['t'] = 'string'
        if o['t'] == 'list' and 'choices' in kw:
            vals = values(kw['choices'])
            if vals is not None:
                o['c'] = vals
        if 'Deprecated' in action:
            msg = next((ast.literal_eval(k.value) for k in c.keywords if k.arg in ('error_message', 'help') and isinstance(k.value, (ast.Constant, ast.JoinedStr)) and isinstance(k.value, ast.Constant)), None)
            o['dep'] = msg or 'deprecated'
        d = kw.get('default')
        if isinstance(d, ast.Attribute) and isinstance(d.value, ast.Name) and d.value.id == 'ServerArgs' and d.attr in defaults:
            if defaults[d.attr] is not None:
                o['df'] = defaults[d.attr]
        elif isinstance(d, ast.Constant) and d.value is not None:
            o['df'] = d.value
        if o['n'] in seen:
            continue
        seen.add(o['n'])
        options.append(o)
    table = dict(version=TAG.lstrip('v'), tag=TAG, repository='github.com/sgl-project/sglang', commit=commit, date=date,
                 readFrom=READ_FROM, file=PATH)
    lines = [
        "// GENERATED by scripts/gen-sglang-options.py from SGLang's python/sglang/srt/server_args.py — do not edit; regenerate.",
        '// The options `python -m sglang.launch_server` accepts (n = long name, a = other spellings, t = value kind,',
        '// c = choices, dep = deprecation/removal text, df = default), as ServerArgs.add_cli_args registers them.',
        f'// Read from {READ_FROM}.',
        "import type { GeneratedSglangTable } from './tableTypes';",
        '',
        'export const SGLANG_TABLE: GeneratedSglangTable = {',
        *[f'  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},' for k, v in table.items()],
        '  "options": [',
        *['    ' + json.dumps(o, ensure_ascii=False) + ',' for o in options],
        '  ],',
        '};',
        '',
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', encoding='utf8') as f:
        f.write('\n'.join(lines))
    kinds = {}
    for o in options:
        kinds[o['t']] = kinds.get(o['t'], 0) + 1
    print(f'SGLang {TAG} @{commit[:10]} ({date}): {len(options)} options {kinds} → {OUT}', file=sys.stderr)


main()
