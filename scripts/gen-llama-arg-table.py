#!/usr/bin/env python3
# Regenerates a llama.cpp flag table from llama.cpp's common/arg.cpp.
# The bundled build (src/core/formats/llamacpp/argTable.ts): the git bundle inside node-llama-cpp,
#   git clone node_modules/node-llama-cpp/llama/gitRelease.bundle /tmp/llama.cpp-src
#   python3 scripts/gen-llama-arg-table.py /tmp/llama.cpp-src
# An upstream build by its tag (src/core/formats/llamacpp/argTable.<tag>.ts), from a git directory of
# ggml-org/llama.cpp that carries its build tags (the search tool's snapshot of CrazyForks/llama.cpp does):
#   python3 scripts/gen-llama-arg-table.py --git /work/.mirror/CrazyForks+llama.cpp/repo b8914
# Review the diff (value kinds and EngineSettings links are decided here, in classify() and SETS).
import json, re, sys, os, subprocess
HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = os.path.join(HERE, '..', 'src', 'core', 'formats', 'llamacpp')
if len(sys.argv) > 3 and sys.argv[1] == '--git':
    GIT, TAG = sys.argv[2], sys.argv[3]
    run = lambda *a: subprocess.run(['git', '--git-dir', GIT, *a], check=True, capture_output=True, text=True).stdout
    COMMIT = run('rev-parse', TAG + '^{commit}').strip()
    DATE = run('log', '-1', '--format=%as', TAG).strip()
    src = run('show', f'{TAG}:common/arg.cpp')
    OUT = os.path.join(TABLES, f'argTable.{TAG}.ts')
    EXPORT = f'LLAMA_ARG_ROWS_{TAG.upper()}'
    SOURCE = (f'// GENERATED from common/arg.cpp of ggml-org/llama.cpp at build tag {TAG} (commit {COMMIT}, {DATE}), read from\n'
              f'// github.com/CrazyForks/llama.cpp (a mirror carrying upstream\'s build tags) by scripts/gen-llama-arg-table.py.')
    META = f"export const LLAMA_BUILD_{TAG.upper()} = {{ tag: '{TAG}', repository: 'github.com/ggml-org/llama.cpp', commit: '{COMMIT}', date: '{DATE}' }};\n\n"
else:
    SRC_DIR = sys.argv[1] if len(sys.argv) > 1 else '/tmp/llama.cpp-src'
    src = open(os.path.join(SRC_DIR, 'common/arg.cpp')).read()
    OUT = os.path.join(TABLES, 'argTable.ts')
    EXPORT = 'LLAMA_ARG_ROWS'
    SOURCE = ('// GENERATED from common/arg.cpp of the llama.cpp bundled with node-llama-cpp 3.22.1\n'
              '// (node_modules/node-llama-cpp/llama/gitRelease.bundle), then kept as data.')
    META = ''
start = src.find('common_params_context common_params_parser_init')
s = src[start:]
out = []
i = 0
while True:
    j = s.find('add_opt(common_arg(', i)
    if j < 0: break
    # find balanced end of add_opt(
    k = j + len('add_opt(')
    depth = 1; p = k; instr = False; esc = False; inchar=False
    while depth > 0:
        c = s[p]
        if instr:
            if esc: esc = False
            elif c == '\\': esc = True
            elif c == '"': instr = False
        elif inchar:
            if esc: esc=False
            elif c=='\\': esc=True
            elif c=="'": inchar=False
        elif c == '/' and s[p+1] == '/':
            p = s.index('\n', p); continue
        else:
            if c == '"': instr = True
            elif c=="'": inchar=True
            elif c == '(': depth += 1
            elif c == ')': depth -= 1
        p += 1
    body = re.sub(r'(?m)^\s*//[^\n]*\n', '', s[k:p-1])
    i = p
    # arg lists: leading {...}
    m = re.match(r"\s*common_arg\(\s*\{\s*([^}]*)\}\s*,\s*(\{([^}]*)\}\s*,)?", body)
    if not m:
        print("SKIP", body[:200]); continue
    #\(\s*\{([^}]*)\}\s*,\s*(\{([^}]*)\}\s*,)?', body)
    args = re.findall(r'"([^"]*)"', m.group(1))
    neg = re.findall(r'"([^"]*)"', m.group(3)) if m.group(2) else []
    rest = body[m.end():]
    # value hint: next token if it's a string literal followed by comma and another string (help)
    handler = 'void'
    hm = re.search(r'\[\]\(common_params\s*&\s*\w*\s*(?:,\s*([^)]*))?\)', body)
    if hm and hm.group(1):
        t = hm.group(1)
        if 'int' in t and 'std::string' not in t: handler='int'
        elif 'bool' in t: handler='bool'
        elif t.count('std::string')==2: handler='str_str'
        else: handler='string'
    hint = None
    if handler in ('int','string','str_str'):
        hm2 = re.match(r'\s*"([^"]*)"', rest)
        hint = hm2.group(1) if hm2 else None
    ex = re.findall(r'set_examples\(\{([^}]*)\}\)', body)
    exs = re.findall(r'LLAMA_EXAMPLE_(\w+)', ex[-1]) if ex else ['COMMON']
    exc = re.findall(r'set_excludes\(\{([^}]*)\}\)', body)
    excs = re.findall(r'LLAMA_EXAMPLE_(\w+)', exc[-1]) if exc else []
    env = re.findall(r'set_env\("([^"]*)"\)', body)
    sampling = 'set_sampling()' in body
    # help: first string literal after hint (approx)
    strs = re.findall(r'"((?:[^"\\]|\\.)*)"', rest)
    out.append(dict(args=args, neg=neg, handler=handler, hint=hint, examples=exs, excludes=excs, env=env[0] if env else None, sampling=sampling, strs=strs[:3]))

o = out
# re-derive hint and help robustly from raw bodies
start = src.find('common_params_context common_params_parser_init')
s = src[start:]
bodies=[]
i=0
while True:
    j = s.find('add_opt(common_arg(', i)
    if j<0: break
    k=j+len('add_opt('); depth=1; p=k; instr=False; esc=False; inchar=False
    while depth>0:
        c=s[p]
        if instr:
            if esc: esc=False
            elif c=='\\': esc=True
            elif c=='"': instr=False
        elif inchar:
            if esc: esc=False
            elif c=='\\': esc=True
            elif c=="'": inchar=False
        elif c=='/' and s[p+1]=='/':
            p=s.index('\n',p); continue
        else:
            if c=='"': instr=True
            elif c=="'": inchar=True
            elif c=='(': depth+=1
            elif c==')': depth-=1
        p+=1
    bodies.append(re.sub(r'(?m)^\s*//[^\n]*\n','',s[k:p-1])); i=p
assert len(bodies)==len(o)
def lit_seq(t):
    # parse concatenated string literals at start of t; return (string, rest) or None
    t0=t
    m=re.match(r'\s*"((?:[^"\\]|\\.)*)"', t)
    if not m: return None
    out=m.group(1); t=t[m.end():]
    while True:
        m=re.match(r'\s*"((?:[^"\\]|\\.)*)"', t)
        if not m: break
        out+=m.group(1); t=t[m.end():]
    return out,t
def first_lit(t):
    # the first (concatenated) string literal before the handler lambda: string_format("..."), a ternary, ...
    lam=t.find('[](')
    seg=t if lam<0 else t[:lam]
    q=seg.find('"')
    if q<0: return ''
    h=lit_seq(seg[q:])
    return h[0] if h else ''
entries={}
order=[]
for x,b in zip(o,bodies):
    m=re.match(r'\s*common_arg\(\s*\{[^}]*\}\s*,\s*(\{[^}]*\}\s*,)?', b)
    rest=b[m.end():]
    hint=None; help=''
    a=lit_seq(rest)
    if a:
        first,r2=a
        r2s=r2.lstrip()
        if r2s.startswith(','):
            r3=r2s[1:].lstrip()
            if r3.startswith('"') or r3.startswith('string_format') or r3.startswith('std::string') or re.match(r'\w+\(', r3) and not r3.startswith('[]'):
                hint=first
                help=first_lit(r3)
            else:
                help=first
    else:
        help=first_lit(rest)
    if x['args'][0]=='--spec-type': hint='TYPE'
    help=help.split('\\n')[0].strip()
    help=re.sub(r'\s*\((default|env)[^)]*%[^)]*\)','',help)
    help=re.sub(r"\s*default: '?%\w'?",'',help).replace('\\"','"').strip().rstrip(',')
    ex=[e.lower() for e in x['examples']]
    key=tuple(x['args'])
    if key in entries:
        e=entries[key]
        e['ex']=sorted(set(e['ex'])|set(ex)); continue
    # A flag llama.cpp still takes but warns about: its handler logs "DEPRECATED: <why>".
    dep=re.search(r'LOG_WRN\(\s*"DEPRECATED: ((?:[^"\\]|\\.)*)"', b)
    dep=dep.group(1).replace('\\n','').strip().rstrip('.') if dep else None
    entries[key]=dict(args=x['args'],neg=x['neg'],hint=hint,help=help,ex=ex,exc=[e.lower() for e in x['excludes']],sampling=x['sampling'],handler=x['handler'], removed=('has been removed' in help), deprecated=dep)
    order.append(key)
E = [entries[k] for k in order]

CACHE=['f32','f16','bf16','q8_0','q4_0','q4_1','iq4_nl','q5_0','q5_1']
SETS={'--model':'modelRef','--ctx-size':'contextSize','--parallel':'parallel','--kv-unified':'unifiedKv',
 '--cache-type-k':'cacheTypeK','--cache-type-v':'cacheTypeV','--flash-attn':'flashAttention','--n-gpu-layers':'gpuLayers',
 '--batch-size':'batchSize','--ubatch-size':'ubatchSize','--threads':'threads','--swa-full':'swaFull'}
DESC={
 '--model':'Path of the GGUF model file to load.',
 '--ctx-size':'Context size in tokens: total KV cells across all slots (0 = the model\'s trained context).',
 '--parallel':'Number of server slots (parallel sequences); -1 = auto (4 slots sharing a unified cache).',
 '--kv-unified':'One KV cache buffer shared by all sequences instead of one stream per slot.',
 '--cache-type-k':'KV cache data type for K.',
 '--cache-type-v':'KV cache data type for V (quantized types need flash attention).',
 '--flash-attn':'Flash attention: on, off or auto.',
 '--n-gpu-layers':"Layers to store in VRAM: a number, 'auto' or 'all'.",
 '--batch-size':'Logical maximum batch size (tokens).',
 '--ubatch-size':'Physical maximum batch size (tokens); also sizes SWA caches.',
 '--threads':'CPU threads used during generation.',
 '--swa-full':'Use a full-size cache for sliding-window-attention layers.',
}
def classify(e):
    h=e['hint']; hd=e['handler']; names=e['args']; long=[a for a in names if a.startswith('--')]
    key=long[-1] if long else names[-1]
    if e['removed']: return dict(kind='int' if h=='N' else 'string')
    if hd in ('void',): return dict(kind='none')
    if hd=='bool': return dict(kind='bool')
    if key in ('--cache-type-k','--cache-type-v','--cache-type-k-draft','--cache-type-v-draft'): return dict(kind='enum',values=CACHE)
    if key in ('--n-gpu-layers','--n-gpu-layers-draft'): return dict(kind='gpuLayers')
    if key=='--seed': return dict(kind='int')
    if key=='--numa': return dict(kind='enum',values=['distribute','isolate','numactl'])
    if key=='--load-mode': return dict(kind='enum',values=['auto','none','mmap','mlock','mmap+mlock','dio'])
    if key=='--lazy-mode': return dict(kind='enum',values=['on','auto','off'])
    if key=='--reasoning-format': return dict(kind='enum',values=['none','auto','deepseek','deepseek-legacy'])
    if key=='--poll' or key=='--poll-batch': return dict(kind='int')
    if hd=='int': 
        if h and re.fullmatch(r'<0\|1>',h): return dict(kind='enum',values=['0','1'])
        return dict(kind='int')
    if h is None: return dict(kind='string')
    m=re.fullmatch(r'\[([\w|+-]+)\]',h) or re.fullmatch(r'<([\w|+-]+)>',h)
    if m:
        vals=m.group(1).split('|')
        r=dict(kind='enum',values=vals)
        if set(vals)<= {'on','off','auto'}: r['bool3']=True
        return r
    m=re.fullmatch(r'\{([\w, -]+)\}',h)
    if m: return dict(kind='enum',values=[v.strip() for v in m.group(1).split(',')])
    if h in ('N','P','SIMILARITY','L'): return dict(kind='float')
    if h in ('FNAME','FILE','PATH','DIR','JINJA_TEMPLATE_FILE'): return dict(kind='path')
    if ',' in h or '...' in h: return dict(kind='list')
    return dict(kind='string')
def js(v): return json.dumps(v, ensure_ascii=False)
lines=[]
for e in E:
    c=classify(e)
    names=e['args']; long=[a for a in names if a.startswith('--')]
    key=long[-1] if long else names[-1]
    parts=[f"n: {js(names)}"]
    if e['neg']: parts.append(f"neg: {js(e['neg'])}")
    parts.append(f"kind: '{c['kind']}'")
    if 'values' in c: parts.append(f"values: {js(c['values'])}")
    if c.get('bool3'): parts.append("onOff: true")
    if e['hint'] and c['kind'] not in ('none','bool'): parts.append(f"hint: {js(e['hint'])}")
    if key in SETS: parts.append(f"sets: '{SETS[key]}'")
    ex=[x for x in e['ex']]
    parts.append(f"ex: {js(ex)}")
    if e['exc']: parts.append(f"exc: {js(e['exc'])}")
    if e['sampling']: parts.append("sampling: true")
    d=DESC.get(key, e['help'])
    d=d.replace('\\t','\t').replace("\\'", "'")
    d=re.sub(r',\)', ')', d)
    d=re.sub(r'\[\(more info\)\]\([^)]*\)', '', d)
    d=re.sub(r'\s*\(default: [^)]*\)?', '', d)
    d=re.sub(r"\s*\('on' or 'off'\)", '', d)
    d=re.sub(r'\s*\([^)]*$', '', d)
    d=re.sub(r'[,;]?\s*one of:?$', '', d).rstrip(':').strip()
    if d: d = d[0].upper() + d[1:]
    if e['deprecated']: parts.append(f"dep: {js(e['deprecated'])}")
    if e['removed']:
        parts.append(f"removed: {js(e['help'])}")
    else:
        parts.append(f"d: {js(d)}")
    lines.append('  { '+', '.join(parts)+' },')
hdr=SOURCE+''' Each row is one llama.cpp option:
// n = accepted spellings (positive), neg = spellings that turn a boolean off, kind = value kind, values = enum,
// sets = the EngineSettings field it feeds, ex = llama.cpp "examples" (programs) that accept it ('common' = all),
// exc = programs that exclude it, dep = llama.cpp's own warning for a flag it still takes but deprecates,
// removed = llama.cpp's own message for an option it now refuses.
// Regenerate rather than hand-edit when llama.cpp moves; flags llama.cpp dropped but configs still use live in
// legacyFlags.ts.
import type { RawFlagRow } from './flagTypes';

'''+META+'export const '+EXPORT+''': readonly RawFlagRow[] = [
'''
open(OUT,'w').write(hdr+'\n'.join(lines)+'\n];\n')
