"""Build the documentation site from nbs/ into _docs/ without running the lessons.

Step 1 (nbdev's processing into _proc/): the notebooks keep their stored outputs. Only what the API
docs need is executed: exported cells, `show_doc` cells and the import statements of other cells (plain
`nbdev-docs` would also re-run every cell that mixes imports with other code).
Step 2: `quarto render` when the `quarto` command exists (the real nbdev site, config in nbs/_quarto.yml),
otherwise a plain HTML site from the processed notebooks (nbconvert; math as MathML, so no script or
network is needed to read it; sidebar from nbs/sidebar.yml).

    python tools/build_docs.py            # quarto when installed, else the plain site
    python tools/build_docs.py --plain    # the plain site even where quarto is installed
"""
import ast, html, os, posixpath, re, shutil, sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from fastcore.xtras import str2bool
from nbdev.config import get_config, nbpath2html
from nbdev.process import Processor
from nbdev.processors import FilterDefaults, exec_show_docs

root = Path(__file__).resolve().parent.parent

class exec_docs_only(exec_show_docs):
    "Run exported and `show_doc` cells, and only the import statements of every other cell"
    def __call__(self, cell):
        if not self.nb.has_docs_ or not hasattr(self, 'k') or cell.cell_type != 'code' or not cell.source: return
        fm = getattr(self.nb, 'frontmatter_', {})
        if str2bool(fm.get('skip_showdoc', False)) or cell.directives_.get('eval', '').lower() == 'false': return
        trees = cell.parsed_()
        if not trees: return
        if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'} or any(
                isinstance(t, ast.Expr) and getattr(getattr(t.value, 'func', None), 'id', '') == 'show_doc' for t in trees):
            self.k.cell(cell)
        else:
            imports = [ast.unparse(t) for t in trees if isinstance(t, (ast.Import, ast.ImportFrom))]
            if imports: self.k.run('\n'.join(imports))
        if self.k.exc:
            raise Exception(f"{getattr(self.nb, 'path_', fm.get('title', ''))}, cell {cell.idx_}:\n"
                            f"{cell.source}\n{type(self.k.exc).__name__}: {self.k.exc}") from self.k.exc

def _local(p: Path, base: Path):
    "`p` (symbolic links not followed) relative to `base` when it lies inside it, else None"
    try: return Path(os.path.normpath(p)).relative_to(base)
    except ValueError: return None

def site_path(u, d: Path, nbs: Path):
    """`u` from a notebook in folder `d`, made to work in the site. README.md is nbs/index.ipynb shown at the
    repository root, so a link that does not resolve from `d` is looked up from the root too, and a file outside
    nbs/ is looked for under nbs/ (nbs/assets links to assets/). Left as it is when nothing is found."""
    s = urlsplit(u)
    if s.scheme or s.netloc or not s.path: return u
    p = unquote(s.path)
    if _local(d/p, nbs) is not None and (d/p).exists(): return u
    for t in (root/p, Path(os.path.normpath(d/p))):
        rel = _local(t, root)
        if not t.exists() or rel is None: continue
        inside = t if _local(t, nbs) is not None else nbs/rel
        if inside.exists(): return posixpath.relpath(os.path.normpath(inside), d) + (f'#{s.fragment}' if s.fragment else '')
    return u

_md_url = re.compile(r'(?P<a>\]\(|\b(?:src|href)=["\'])(?P<u>[^)\s"\']+)')

class site_links(Processor):
    "Point the links of markdown cells at files the site has (see `site_path`)"
    def __call__(self, cell):
        if cell.cell_type != 'markdown' or not cell.source: return
        d, nbs = Path(self.nb.path_).absolute().parent, get_config().nbs_path
        cell.source = _md_url.sub(lambda m: m["a"] + site_path(m["u"], d, nbs), cell.source)

class DocsFilter(FilterDefaults):
    def base_procs(self): return [site_links] + [exec_docs_only if p is exec_show_docs else p for p in super().base_procs()]

def process(force=True):
    "nbdev's `nbdev-proc-nbs` (config files, module index, notebooks into _proc/) with `DocsFilter`"
    import nbdev.doclinks, nbdev.quarto, nbdev.serve
    os.chdir(root)
    cfg = get_config()
    nbdev.quarto.refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev.serve.FilterDefaults = DocsFilter
    return nbdev.serve.proc_nbs(cfg.nbs_path, n_workers=0, force=force), cfg   # one process: torch imported once

def render_quarto(cache, cfg):
    "What `nbdev-docs` does after processing"
    from nbdev.quarto import _fix_quarto_nav
    from nbdev.quarto_render import render_quarto as render
    render(cache, cache/cfg.doc_path.name, n_workers=1)
    shutil.rmtree(cfg.doc_path, ignore_errors=True)
    shutil.move(cache/cfg.doc_path.name, cfg.config_path)
    _fix_quarto_nav(cfg.doc_path)

# ---- the plain site -------------------------------------------------------------------------------
def sidebar(nbs):
    "[(section or None, [notebook file names])] in nbs/sidebar.yml's order"
    groups, cur = [], (None, [])
    for item in yaml.safe_load((nbs/'sidebar.yml').read_text())['website']['sidebar']['contents']:
        if isinstance(item, dict): groups.append((item['section'], [c if isinstance(c, str) else c['href'] for c in item['contents']]))
        else: cur[1].append(item if isinstance(item, str) else item['href'])
    return [cur] + groups

def pandoc_id(text):
    "Pandoc's identifier for a heading: lower case, punctuation but `_-.` dropped, spaces as dashes, from the first letter"
    t = html.unescape(re.sub(r'<[^>]+>', '', text)).lower()
    t = re.sub(r'\s+', '-', ''.join(c for c in t if c.isalnum() or c in '_-. ' or c.isspace()).strip())
    return re.sub(r'^[^a-z]+', '', t) or 'section'

_attr_link = re.compile(r'\[(?P<t>[^\]\n]*)\]\((?P<u>[^)\s]+)\)\{(?P<a>[^}\n]*)\}')

def _attr_link_html(m):
    "pandoc's `[text](url){key=\"value\"}` (nbdev's source links) as an HTML link"
    attrs = ''.join(f' {k}="{html.escape(v)}"' for k, v in re.findall(r'([\w-]+)="([^"]*)"', m['a']))
    return f'<a href="{html.escape(m["u"])}"{attrs}>{m["t"]}</a>'

def exporter():
    "nbconvert's HTML body exporter, with math turned into MathML"
    from jinja2 import pass_context
    from latex2mathml.converter import convert
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
    class R(IPythonRenderer):
        def block_math(self, body): return convert(body.strip(), display='block')
        def inline_math(self, body): return convert(body.strip(), display='inline')
        def latex_environment(self, name, body): return convert(f'\\begin{{{name}}}{body}\\end{{{name}}}', display='block')
        def heading(self, text, level, **attrs):   # ids as pandoc (and so Quarto and nbdev's links) make them
            return f'<h{level} id="{html.escape(pandoc_id(text))}">{text}</h{level}>\n'
    class E(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):
            r = R(escape=False, attachments=context.get('cell', {}).get('attachments', {}), embed_images=False,
                  anchor_link_text='')
            return MarkdownWithMath(renderer=r).render(_attr_link.sub(_attr_link_html, source))
    return E(template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True)

_dir = re.compile(r'^#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def quarto_cells(nb):
    "Apply the Quarto cell options nbdev leaves in _proc/ (echo, output, include, asis); return (nb, frontmatter)"
    import nbformat
    fm, cells = {}, []
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.startswith('---'):
            fm.update(yaml.safe_load(c.source.strip().strip('-')) or {}); continue
        if c.cell_type != 'code': cells.append(c); continue
        lines = c.source.splitlines()
        opts = {m[1]: m[2] for m in map(_dir.match, lines) if m}
        c.source = '\n'.join(l for l in lines if not _dir.match(l)).strip()
        if opts.get('include') == 'false': continue
        if opts.get('output') == 'false': c.outputs = []
        if opts.get('output') == 'asis':   # show_doc: markdown output shown as the page's own markdown
            md = ''.join(''.join(o.get('data', {}).get('text/markdown', '')) for o in c.outputs)
            if md: cells.append(nbformat.v4.new_markdown_cell(md))
            continue
        if opts.get('echo') == 'false': c.source = ''
        if c.source or c.outputs: cells.append(c)
    nb.cells = cells
    return nb, fm

_link = re.compile(r'(?P<a>\b(?:href|src)=")(?P<u>[^"]*)"')

def fix_links(page, nbs, out, page_rel, site_url):
    "Relative links to the published site; notebook links to their pages; copy the local files a page shows"
    here = posixpath.dirname(page_rel)
    def sub(m):
        u = html.unescape(m['u'])
        if u.startswith(site_url + '/'):   # nbdev's links to the API docs
            return f'{m["a"]}{html.escape(posixpath.relpath(u[len(site_url)+1:], here or "."))}"'
        s = urlsplit(u)
        if s.scheme or s.netloc or not s.path: return m[0]
        path, src = unquote(s.path), nbs/here/unquote(s.path)
        rel = _local(src, nbs)
        if rel is None or not src.is_file(): return m[0]   # tools/check_docs.py reports it
        if path.endswith('.ipynb'): path = posixpath.relpath(nbpath2html(rel).as_posix(), here or '.')
        else:
            (out/rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out/rel)
        return f'{m["a"]}{html.escape(path + (f"#{s.fragment}" if s.fragment else ""))}"'
    return _link.sub(sub, page)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – {site}</title><link rel="stylesheet" href="{up}site.css"></head>
<body><nav class="sidebar"><a class="site" href="{up}index.html">{site}</a>{nav}
<p class="ext"><a href="{repo}">Source on GitHub</a></p></nav>
<main><h1 class="title">{title}</h1>{desc}{body}</main></body></html>
"""

CSS = """body{margin:0;display:flex;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222}
.sidebar{position:sticky;top:0;height:100vh;overflow:auto;box-sizing:border-box;width:250px;flex:none;padding:1.2em;background:#f6f8fa;border-right:1px solid #ddd;font-size:.92em}
.sidebar a{display:block;color:#24292f;text-decoration:none;padding:.18em .4em;border-radius:4px}
.sidebar a:hover{background:#e7ebef}.sidebar a.active{background:#dbe7f6;font-weight:600}
.sidebar .site{font-weight:700;font-size:1.1em;margin-bottom:.8em}.sidebar h4{margin:1.1em 0 .3em;color:#57606a;font-size:.85em;text-transform:uppercase}
.sidebar .ext{margin-top:1.5em}
main{flex:1;min-width:0;max-width:980px;padding:1.5em 2.5em}
h1.title{margin-bottom:.2em}.description{color:#57606a;font-size:1.1em;margin-top:0}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
.input_area pre,.highlight pre{background:#f6f8fa;padding:.7em;border-radius:6px;overflow:auto;margin:.4em 0}
.output_area pre{margin:0 0 .4em .8em;padding:.3em .7em;overflow:auto;max-height:40em;border-left:2px solid lightsalmon}
.cell{margin:.6em 0}img{max-width:100%}.anchor-link{display:none}
table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #d0d7de;padding:.25em .6em}
math[display=block]{margin:.8em 0;font-size:1.1em}.rendered_html h2,.rendered_html h3{margin-top:1.4em}
blockquote{margin-left:0;padding-left:1em;border-left:4px solid #d0d7de;color:#57606a}
"""

def render_plain(cache, cfg):
    from pygments.formatters import HtmlFormatter
    import nbformat
    nbs, out = cfg.nbs_path, cfg.doc_path
    shutil.rmtree(out, ignore_errors=True); out.mkdir()
    extra = (nbs/'styles.css').read_text() if (nbs/'styles.css').exists() else ''
    (out/'site.css').write_text(CSS + HtmlFormatter().get_style_defs('.highlight') + '\n' + extra)
    groups, exp = sidebar(nbs), exporter()
    pages = [(f, sec) for sec, fs in groups for f in fs]
    listed = {f for f, _ in pages}
    pages += [(p.relative_to(cache).as_posix(), None) for p in sorted(cache.rglob('*.ipynb')) if p.relative_to(cache).as_posix() not in listed]
    titles, names = {}, {}
    built = []
    for f, _ in pages:
        src = cache/f
        if not src.exists(): sys.exit(f"nbs/sidebar.yml lists {f}, but there is no nbs/{f}")
        nb, fm = quarto_cells(nbformat.read(src, as_version=4))
        titles[f] = fm.get('title', Path(f).stem)
        names[f] = (Path(f).parent/fm['output-file']).as_posix() if fm.get('output-file') else nbpath2html(f).as_posix()
        body, _ = exp.from_notebook_node(nb, resources={'metadata': {'path': str(src.parent)}})
        built.append((f, fm, body))
    site_url = f"{cfg.doc_host}{cfg.doc_baseurl}".rstrip('/')
    for f, fm, body in built:
        page_rel = names[f]
        up = '../' * page_rel.count('/')
        nav = ''
        for sec, fs in groups:
            if sec: nav += f'<h4>{html.escape(sec)}</h4>'
            for g in fs:
                cls = ' class="active"' if g == f else ''
                nav += f'<a{cls} href="{up}{names[g]}">{html.escape(titles.get(g, g))}</a>'
        desc = f'<p class="description">{html.escape(fm["description"])}</p>' if fm.get('description') else ''
        page = PAGE.format(title=html.escape(titles[f]), site=html.escape(cfg.title), up=up, nav=nav,
                           repo=html.escape(cfg.git_url), desc=desc, body=body)
        (out/page_rel).parent.mkdir(parents=True, exist_ok=True)
        (out/page_rel).write_text(fix_links(page, nbs, out, page_rel, site_url))
    print(f"built {len(built)} pages into {out}")

if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    sys.path.insert(0, str(root))          # document this checkout's package (notebooks are processed in this process)
    cache, cfg = process()
    if shutil.which('quarto') and '--plain' not in sys.argv: render_quarto(cache, cfg)
    else: render_plain(cache, cfg)
