"""Build the documentation site from nbs/ into _docs/ without running the lessons.

Step 1 (nbdev's processing into _proc/): the notebooks keep their stored outputs. Only what the API
docs need is executed: exported cells, `show_doc` cells and the import statements of other cells (plain
`nbdev-docs` would also re-run every cell that mixes imports with other code).
Colab's remote badge image becomes nbs/assets/colab-badge.svg (the link stays), so pages load nothing remote.
Step 2: `quarto render` when the `quarto` command exists (the real nbdev site, config in nbs/_quarto.yml),
otherwise a plain HTML site from the processed notebooks (nbconvert; math as MathML; sidebar from
nbs/sidebar.yml) that reads offline, from a server or from file://. Its style and script are tools/docs_site.css
and tools/docs_site.js (no library, no web font). Each page has: a search box (index of titles, headings and text,
written at build time as search.json and search-index.js), a table of contents of its h2/h3 headings (a column
on the right on wide screens, on top otherwise), previous/next links in the sidebar's order, figures fitted to
the text that open at full size (images that outputs embed are written to figures/), code blocks and tables
that scroll inside their box. tools/check_docs.py checks all of it.

    python tools/build_docs.py            # quarto when installed, else the plain site
    python tools/build_docs.py --plain    # the plain site even where quarto is installed
"""
import ast, base64, html, json, os, posixpath, re, shutil, struct, sys
from html.parser import HTMLParser
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

COLAB_BADGE = 'https://colab.research.google.com/assets/colab-badge.svg'
LOCAL_BADGE = 'assets/colab-badge.svg'   # in nbs/: the site's own badge, so that pages show no remote image

class site_links(Processor):
    "Point the links of markdown cells at files the site has (see `site_path`); Colab's badge image is the local one"
    def __call__(self, cell):
        if cell.cell_type != 'markdown' or not cell.source: return
        d, nbs = Path(self.nb.path_).absolute().parent, get_config().nbs_path
        if COLAB_BADGE in cell.source and (nbs/LOCAL_BADGE).exists():
            cell.source = cell.source.replace(COLAB_BADGE, posixpath.relpath((nbs/LOCAL_BADGE).as_posix(), d.as_posix()))
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
<meta name="generator" content="gpt2moe plain site (tools/build_docs.py)">
<title>{title} – {site}</title><link rel="stylesheet" href="{up}site.css"><script src="{up}site.js" defer></script></head>
<body data-root="{up}"><a class="skip" href="#content">Skip to the text</a>
<input type="checkbox" id="nav-toggle" class="nav-toggle" aria-label="Show the lessons">
<header class="topbar"><label for="nav-toggle" class="menu-button" title="Lessons">☰</label><a class="site" href="{up}index.html">{site}</a>
<div class="search" role="search"><input type="search" id="search" placeholder="Search the course  ( / )" aria-label="Search the course" autocomplete="off" spellcheck="false"><div id="search-results" class="search-results" hidden></div></div>
<a class="repo" href="{repo}">Source on GitHub</a></header>
<div class="layout"><nav class="sidebar" aria-label="Lessons">{nav}</nav>
<main><div class="page{page_cls}"><header class="page-head"><h1 class="title">{title}</h1>{desc}</header>
{toc}<article class="content" id="content">
{body}
</article>
{pager}</div></main></div></body></html>
"""

_data_img = re.compile(r'(<img\b[^>]*?\bsrc=")data:image/(png|jpeg|gif|webp);base64,([^"]+)"')

def save_figures(body, out, page_rel):
    "The images that outputs embed (data: URLs) as files in figures/, so that a figure can be opened on its own"
    stem, up, n = page_rel[:-len('.html')].replace('/', '-'), '../' * page_rel.count('/'), 0
    def sub(m):
        nonlocal n
        n += 1
        rel = f"figures/{stem}-{n}.{'jpg' if m[2] == 'jpeg' else m[2]}"
        (out/'figures').mkdir(exist_ok=True)
        (out/rel).write_bytes(base64.b64decode(m[3]))
        return f'{m[1]}{up}{rel}"'
    return _data_img.sub(sub, body)

def image_size(f: Path):
    "(width, height) of a PNG, GIF or JPEG file, else None"
    try: b = f.read_bytes()
    except OSError: return None
    if b[:8] == b'\x89PNG\r\n\x1a\n': return struct.unpack('>II', b[16:24])
    if b[:6] in (b'GIF87a', b'GIF89a'): return struct.unpack('<HH', b[6:10])
    if b[:2] == b'\xff\xd8':
        i = 2
        while i + 9 < len(b):
            if b[i] != 0xFF: return None
            marker, size = b[i+1], struct.unpack('>H', b[i+2:i+4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC): return struct.unpack('>HH', b[i+5:i+9])[::-1]
            i += 2 + size
    return None

_a_or_img = re.compile(r'<a\b[^>]*>|</a\s*>|<img\b[^>]*>')

def link_figures(page, out, page_rel):
    """Each local image that is not already a link becomes a link to its own file (site.js shows it over the page,
    fitted, then at full size); wide ones get a line saying so. The image keeps its size in pixels (crisp, no layout
    shift): CSS only fits it to the text's width."""
    here, depth = posixpath.dirname(page_rel), 0
    def sub(m):
        nonlocal depth
        t = m[0]
        if t.startswith('</'): depth = max(0, depth - 1); return t
        if t.startswith('<a'): depth += 1; return t
        src = re.search(r'\bsrc="([^"]*)"', t)
        if depth or not src or urlsplit(html.unescape(src[1])).scheme: return t   # a badge in its link, a remote image
        size = image_size(out/here/unquote(html.unescape(src[1])))
        img, hint = t, ''
        if size:
            if ' width=' not in t and ' height=' not in t: img = t.replace('<img', f'<img width="{size[0]}" height="{size[1]}"', 1)
            if size[0] > 1000: hint = f'<span class="figure-hint">{size[0]} × {size[1]} px: click the figure to see it full size</span>'
        return f'<a class="figure" href="{src[1]}" title="Open the figure at full size">{img}</a>{hint}'
    return _a_or_img.sub(sub, page)

_heading = re.compile(r'<h([1-6])\b([^>]*)>(.*?)</h\1\s*>', re.S)

def number_headings(body):
    "Every heading of `body` with an id, unique on the page (pandoc's -1, -2...); return (body, [(level, id, text)])"
    seen, found = set(), []
    def sub(m):
        level, attrs, inner = int(m[1]), m[2], m[3]
        old = re.search(r'\bid="([^"]*)"', attrs)
        hid = base = html.unescape(old[1]) if old else pandoc_id(inner)
        k = 0
        while hid in seen: k += 1; hid = f'{base}-{k}'
        seen.add(hid)
        attrs = re.sub(r'\s*\bid="[^"]*"', '', attrs) + f' id="{html.escape(hid)}"'
        found.append((level, hid, ' '.join(html.unescape(re.sub(r'<[^>]+>', '', inner)).split())))
        return f'<h{level}{attrs}>{inner}</h{level}>'
    return _heading.sub(sub, body), found

def toc_html(heads):
    "The page's table of contents: its h2 and h3 headings"
    items = [(l, i, t) for l, i, t in heads if l in (2, 3) and t]
    if not items: return ''
    lis = ''.join(f'<li class="h{l}"><a href="#{html.escape(i)}">{html.escape(t)}</a></li>' for l, i, t in items)
    return f'<nav class="toc" aria-label="On this page"><details open><summary>On this page</summary><ul>{lis}</ul></details></nav>\n'

def pager_html(f, order, names, titles, up):
    "Links to the previous and next pages in the sidebar's order"
    if f not in order: return ''
    k, links = order.index(f), ''
    if k > 0:
        g = order[k-1]; links += f'<a class="prev" rel="prev" href="{up}{names[g]}"><small>← Previous</small><span>{html.escape(titles[g])}</span></a>'
    if k + 1 < len(order):
        g = order[k+1]; links += f'<a class="next" rel="next" href="{up}{names[g]}"><small>Next →</small><span>{html.escape(titles[g])}</span></a>'
    return f'<nav class="pager" aria-label="Previous and next page">{links}</nav>'

class PageText(HTMLParser):
    "A page's searchable text in sections (one per h2-h4 heading): prose and code, not outputs, math or scripts"
    SKIP, VOID = {'script', 'style', 'math', 'svg', 'template'}, {'img', 'br', 'hr', 'input', 'meta', 'link', 'wbr', 'source', 'col', 'area'}
    BLOCK = {'p', 'div', 'li', 'pre', 'tr', 'td', 'th', 'br', 'table', 'ul', 'ol', 'blockquote', 'dd', 'dt', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'}
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections, self.stack, self.skip, self.head = [['', '', []]], [], 0, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.BLOCK and not self.skip: self.handle_data(' ')
        if tag in self.VOID: return
        sk = tag in self.SKIP or (tag == 'div' and 'output_wrapper' in (a.get('class') or '').split())
        self.stack.append((tag, sk)); self.skip += sk
        if tag in ('h2', 'h3', 'h4') and a.get('id') and not self.skip: self.head = [a['id'], []]
    def handle_endtag(self, tag):
        if tag not in (t for t, _ in self.stack): return
        while self.stack:
            t, sk = self.stack.pop(); self.skip -= sk
            if t == tag: break
        if tag in ('h2', 'h3', 'h4') and self.head and not self.skip:
            self.sections.append([self.head[0], ' '.join(''.join(self.head[1]).split()), []]); self.head = None
        if tag in self.BLOCK and not self.skip: self.handle_data(' ')
    def handle_data(self, data):
        if not self.skip: (self.head[1] if self.head else self.sections[-1][2]).append(data)

def page_sections(content):
    "[(id, heading, text)] of a page's content (HTML)"
    p = PageText(); p.feed(content); p.close()
    return [(i, h, ' '.join(''.join(t).split())) for i, h, t in p.sections]

def render_plain(cache, cfg):
    from pygments.formatters import HtmlFormatter
    import nbformat
    nbs, out = cfg.nbs_path, cfg.doc_path
    shutil.rmtree(out, ignore_errors=True); out.mkdir()
    extra = (nbs/'styles.css').read_text() if (nbs/'styles.css').exists() else ''
    here = Path(__file__).resolve().parent
    (out/'site.css').write_text((here/'docs_site.css').read_text() + HtmlFormatter().get_style_defs('.highlight') + '\n' + extra)
    shutil.copy(here/'docs_site.js', out/'site.js')
    groups, exp = sidebar(nbs), exporter()
    pages = [(f, sec) for sec, fs in groups for f in fs]
    listed = {f for f, _ in pages}
    order = [f for f, _ in pages]   # previous/next follow the sidebar
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
    index = {'pages': [], 'sections': []}
    code = lambda text: re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(text)) # inline code, as the notebook writes it
    for f, fm, body in built:
        page_rel = names[f]
        up = '../' * page_rel.count('/')
        nav = ''
        for sec, fs in groups:
            if sec: nav += f'<h4>{html.escape(sec)}</h4>'
            for g in fs:
                cls = ' class="active" aria-current="page"' if g == f else ''
                nav += f'<a{cls} href="{up}{names[g]}">{code(titles.get(g, g))}</a>'
        desc = f'<p class="description">{code(fm["description"])}</p>' if fm.get('description') else ''
        body = save_figures(body, out, page_rel)
        body = re.sub(r'</table\s*>', '</table></div>', re.sub(r'<table\b', '<div class="table-wrap"><table', body))
        body, heads = number_headings(body)
        toc = toc_html(heads)
        page = PAGE.format(title=html.escape(titles[f]), site=html.escape(cfg.title), up=up, nav=nav,
                           repo=html.escape(cfg.git_url), desc=desc, body=body, toc=toc, page_cls='' if toc else ' no-toc',
                           pager=pager_html(f, order, names, titles, up))
        (out/page_rel).parent.mkdir(parents=True, exist_ok=True)
        page = link_figures(fix_links(page, nbs, out, page_rel, site_url), out, page_rel)
        (out/page_rel).write_text(page)
        content = page[page.index('<article class="content"'):page.rindex('</article>')]
        index['pages'].append({'url': page_rel, 'title': titles[f], 'description': fm.get('description', '')})
        for i, h, t in page_sections(content):
            if not i: h, t = titles[f], f"{fm.get('description', '')} {t}".strip()
            index['sections'].append({'p': len(index['pages']) - 1, 'id': i, 'h': h, 't': t})
    data = json.dumps(index, ensure_ascii=False, separators=(',', ':'))
    (out/'search.json').write_text(data)
    (out/'search-index.js').write_text(f'window.SEARCH_INDEX = {data};\n')
    print(f"built {len(built)} pages into {out} (search index {len(data) // 1024} KB)")

if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    sys.path.insert(0, str(root))          # document this checkout's package (notebooks are processed in this process)
    cache, cfg = process()
    if shutil.which('quarto') and '--plain' not in sys.argv: render_quarto(cache, cfg)
    else: render_plain(cache, cfg)
