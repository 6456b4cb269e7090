"""Check the built site in _docs/: every notebook in nbs/ has a page and a place in nbs/sidebar.yml, and every
relative href/src in every HTML page names a file inside _docs/ (http(s), mailto, data: and same-page #anchors
are not followed; an #anchor on another page that has no such id is only a warning). No page shows a remote image
(the site is read offline). On the plain site (tools/build_docs.py without Quarto) also what a reader relies on:
every page has the search box, and search.json / search-index.js list every page (and only ids the pages have);
a page with h2/h3 headings in its text has a table of contents whose links all land on them; the sidebar's pages
link to the previous and next page in the sidebar's order; every local image is a link to its own file (to open it
full size) and none is embedded as data:; tables sit in a scrolling box, and site.css fits images to the width and
lets code blocks scroll (so nothing widens the page); no remote script or stylesheet. Exits 1 listing what is wrong.

    python tools/check_docs.py [SITE_DIR]
    python tools/check_docs.py --self-test [SITE_DIR]   # break a copy of the site once per check: each must fail
"""
import json, re, shutil, sys, tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from nbdev.config import nbpath2html

root = Path(__file__).resolve().parent.parent

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}

class Links(HTMLParser):
    "A page's links and ids, and what the plain site's checks look at (with the elements each sits in)"
    def __init__(self):
        super().__init__()
        self.urls, self.ids, self.stack = [], set(), []
        self.imgs, self.heads, self.toc, self.pager, self.tables, self.assets = [], [], [], {}, [], []
        self.search = self.plain = False
    def within(self, tag=None, cls=None):
        "The innermost open element with this tag and/or class, as a dict of its attributes, else None"
        for t, a in reversed(self.stack):
            if (tag is None or t == tag) and (cls is None or cls in (a.get('class') or '').split()): return a
        return None
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == 'id' or (k == 'name' and tag == 'a'): self.ids.add(v)
            if k in ('href', 'src') and v: self.urls.append((tag, v))
            if k == 'srcset' and v: self.urls += [(tag, c.split()[0]) for c in v.split(',') if c.strip()]
        a = dict(attrs)
        content = self.within('article', 'content') is not None
        if tag == 'meta' and a.get('name') == 'generator' and 'gpt2moe plain site' in (a.get('content') or ''): self.plain = True
        elif tag == 'input' and a.get('id') == 'search': self.search = True
        elif tag == 'img': self.imgs.append((a.get('src') or '', self.within('a'), content))
        elif tag in ('h2', 'h3') and content: self.heads.append((tag, a.get('id')))
        elif tag == 'a' and self.within('nav', 'toc') is not None: self.toc.append(a.get('href') or '')
        elif tag == 'a' and a.get('rel') in ('prev', 'next') and self.within('nav', 'pager') is not None: self.pager[a['rel']] = a.get('href') or ''
        elif tag == 'table' and content: self.tables.append(self.within('div', 'table-wrap') is not None)
        elif tag == 'script' and a.get('src'): self.assets.append(('script', a['src']))
        elif tag == 'link' and 'stylesheet' in (a.get('rel') or ''): self.assets.append(('stylesheet', a.get('href') or ''))
        if tag not in VOID: self.stack.append((tag, a))
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag: self.stack.pop()
    def handle_endtag(self, tag):
        if not any(t == tag for t, _ in self.stack): return   # a stray end tag
        while self.stack and self.stack.pop()[0] != tag: pass

def remote(url):
    s = urlsplit(url.strip())
    return bool(s.netloc) or s.scheme in ('http', 'https')

def local_target(page, url, site):
    "The file in `site` that `url` on `page` names, or None when `url` is not a link into the site"
    s = urlsplit(url.strip())
    if s.scheme or s.netloc or not s.path: return None   # http(s), mailto, data:, //host, #anchor, ?query
    path = unquote(s.path)
    base = site if path.startswith('/') else page.parent
    t = (base/path.lstrip('/')).resolve()
    return t/'index.html' if path.endswith('/') or t.is_dir() else t

def sidebar_files(nbs):
    def walk(items):
        for it in items or []:
            if isinstance(it, str): yield it
            elif 'contents' in it: yield from walk(it['contents'])
            elif 'href' in it: yield it['href']
    return list(walk(yaml.safe_load((nbs/'sidebar.yml').read_text())['website']['sidebar']['contents']))

def check(site: Path, nbs: Path) -> tuple[list[str], list[str]]:
    "(problems, warnings): a missing page or file is a problem; a missing #anchor on a page that exists, a warning"
    problems, warnings = [], []
    if not site.is_dir(): return [f'{site} does not exist: build the docs first (python tools/build_docs.py)'], []
    notebooks = sorted(p.relative_to(nbs).as_posix() for p in nbs.rglob('*.ipynb')
                       if not any(part.startswith(('_', '.')) for part in p.relative_to(nbs).parts))
    for nb in notebooks:   # nbdev names a page after its notebook, less the number: 02_moe.ipynb -> moe.html
        if not (site/nbpath2html(nb)).is_file(): problems.append(f'no page for nbs/{nb} (expected {nbpath2html(nb)})')
    listed = sidebar_files(nbs)
    for nb in notebooks:
        if nb not in listed: problems.append(f'nbs/{nb} is not in nbs/sidebar.yml')
    for f in listed:
        if f not in notebooks: problems.append(f'nbs/sidebar.yml lists {f}, which is not a notebook in nbs/')
    site_r, parsed = site.resolve(), {}
    def parse(page):
        if page not in parsed: parsed[page] = Links(); parsed[page].feed(page.read_text(errors='replace'))
        return parsed[page]
    pages = sorted(site_r.rglob('*.html'))
    for page in pages:
        for tag, url in parse(page).urls:
            t, where = local_target(page, url, site_r), f'{page.relative_to(site_r)}: <{tag}> {url}'
            if t is None: continue
            if not t.is_relative_to(site_r): problems.append(f'{where} points outside the site')
            elif not t.is_file(): problems.append(f'{where} is missing')
            elif (frag := unquote(urlsplit(url).fragment)) and t.suffix == '.html' and frag not in parse(t).ids:
                warnings.append(f'{where}: {t.relative_to(site_r)} has no element with id "{frag}"')
        for src, _, _ in parse(page).imgs:
            if remote(src): problems.append(f'{page.relative_to(site_r)}: <img> {src} is a remote image (the site must read offline)')
    if any(parse(p).plain for p in pages): problems += check_plain(site_r, pages, parse, [nbpath2html(f).as_posix() for f in listed])
    return problems, warnings

def css_rules(css):
    "{selector: declarations} of a style sheet, comments and @media blocks' own braces dropped"
    css = re.sub(r'/\*.*?\*/', '', css, flags=re.S)
    out = {}
    for sel, body in re.findall(r'([^{}]+)\{([^{}]*)\}', css):
        for one in sel.split(','): out.setdefault(one.strip(), []).append(body.replace(' ', ''))
    return out

def check_plain(site, pages, parse, order):
    "The plain site's reader features (see the module's docstring); `order`: the sidebar's pages, as site paths"
    problems, rel = [], lambda p: p.relative_to(site).as_posix()
    for page in pages:
        P, name = parse(page), rel(page)
        if not P.search: problems.append(f'{name}: no search box (<input id="search">)')
        for kind, url in P.assets:
            if remote(url): problems.append(f'{name}: remote {kind} {url} (the site must read offline)')
        ids_in_toc = {unquote(urlsplit(h).fragment) for h in P.toc}
        if P.heads and not P.toc: problems.append(f'{name}: {len(P.heads)} h2/h3 headings but no table of contents (nav.toc)')
        for h in P.toc:
            if not h.startswith('#') or unquote(h[1:]) not in P.ids: problems.append(f'{name}: table of contents link {h} lands on no id of the page')
        for tag, hid in P.heads:
            if tag == 'h2' and (not hid or hid not in ids_in_toc): problems.append(f'{name}: <h2 id="{hid}"> is not in the table of contents')
        for src, link, content in P.imgs:
            if not content: continue
            if src.startswith('data:'): problems.append(f'{name}: an <img> embedded as data: (figures are files, to open at full size)')
            elif not remote(src) and link is None: problems.append(f'{name}: <img> {src} is not a link to its full-size file')
            elif not remote(src) and 'figure' in (link.get('class') or '').split() and link.get('href') != src:
                problems.append(f'{name}: figure link {link.get("href")} is not its image {src}')
        if not all(P.tables): problems.append(f'{name}: {P.tables.count(False)} table(s) not in a scrolling div.table-wrap')
        if name in order:   # previous/next in the sidebar's order, both ways
            k = order.index(name)
            for r, want in (('prev', order[k-1] if k else None), ('next', order[k+1] if k + 1 < len(order) else None)):
                got = P.pager.get(r)
                if want is None and got: problems.append(f'{name}: a {r} link ({got}), but it is the {"first" if r == "prev" else "last"} page')
                if want is None: continue
                t = local_target(page, got, site) if got else None
                if t is None or not t.is_file() or rel(t) != want: problems.append(f'{name}: {r} link is {got!r}, should lead to {want}')
    for f in ('search.json', 'search-index.js', 'site.js', 'site.css'):
        if not (site/f).is_file(): problems.append(f'{f} is missing')
    try:
        index = json.loads((site/'search.json').read_text())
        urls = [p['url'] for p in index['pages']]
        for page in pages:
            if rel(page) not in urls: problems.append(f'search.json does not list {rel(page)}')
        for sec in index['sections']:
            url = urls[sec['p']]
            if sec['id'] and (site/url).is_file() and sec['id'] not in parse(site/url).ids:
                problems.append(f'search.json: {url}#{sec["id"]} is no id of that page')
        for url in {urls[s['p']] for s in index['sections']} ^ set(urls): problems.append(f'search.json: {url} has no text')
        js = (site/'search-index.js').read_text().strip()
        if json.loads(js[js.index('=') + 1:].rstrip(';')) != index: problems.append('search-index.js is not search.json')
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e: problems.append(f'search index unreadable: {type(e).__name__}: {e}')
    rules = css_rules((site/'site.css').read_text()) if (site/'site.css').is_file() else {}
    if not any('overflow-x:auto' in b or 'overflow:auto' in b or 'white-space:pre-wrap' in b for b in rules.get('pre', [])):
        problems.append('site.css: code blocks (pre) neither scroll nor wrap (overflow-x:auto or white-space:pre-wrap)')
    if not any('max-width:100%' in b for b in rules.get('img', [])): problems.append('site.css: images (img) are not fitted to the width (max-width:100%)')
    return problems

def self_test(site: Path, nbs: Path):
    "Break a copy of the built plain site once per check; each break must be reported (and the intact copy pass)"
    def edit(f, old, new, count=1):
        def go(d):
            t = (d/f).read_text()
            assert re.search(old, t), f'self-test: {old!r} not in {f}'
            (d/f).write_text(re.sub(old, new, t, count=count))
        return go
    def rm(f): return lambda d: (d/f).unlink()
    def unindex(d):
        ix = json.loads((d/'search.json').read_text()); k = [p['url'] for p in ix['pages']].index('moe.html')
        ix['pages'][k]['url'] = 'gone.html'; (d/'search.json').write_text(json.dumps(ix))
    breaks = {   # what a careless change could do -> a word the problem reported must contain
        'no search box': (edit('viz.html', r'<input type="search" id="search"', '<input type="search" id="find"'), 'no search box'),
        'no TOC': (edit('train.html', r'(?s)<nav class="toc".*?</nav>', ''), 'no table of contents'),
        'TOC link to nowhere': (edit('train.html', r'(<nav class="toc".*?href="#)', r'\1x-'), 'lands on no id'),
        'h2 left out of the TOC': (edit('viz.html', r'<li class="h2"><a href="#expert-load">[^<]*</a></li>', ''), 'not in the table of contents'),
        'no next link': (edit('viz.html', r'(?s)<a class="next"[^>]*>.*?</a>', ''), 'next link'),
        'prev link to the wrong page': (edit('train.html', r'(<a class="prev" rel="prev" href=")[^"]*', r'\1index.html'), 'prev link'),
        'next on the last page': (edit('test_export.html', r'(<nav class="pager"[^>]*>)', r'\1<a class="next" rel="next" href="index.html">x</a>'), 'last page'),
        'remote image': (edit('viz.html', r'src="assets/colab-badge.svg"', 'src="https://colab.research.google.com/assets/colab-badge.svg"'), 'remote image'),
        'remote script': (edit('index.html', r'</head>', '<script src="https://cdn.example.org/x.js"></script></head>'), 'remote script'),
        'figure not a link': (edit('viz.html', r'<a class="figure"[^>]*>(<img[^>]*>)</a>', r'\1'), 'not a link to its full-size file'),
        'figure opens another file': (edit('viz.html', r'(<a class="figure" href=")[^"]*', r'\1figures/viz-2.png'), 'is not its image'),
        'embedded figure': (edit('viz.html', r'<a class="figure"[^>]*>(<img[^>]*?)src="[^"]*"', r'<a>\1src="data:image/png;base64,AAAA"'), 'data:'),
        'table outside its box': (edit('bench.html', r'(?s)<div class="table-wrap">(<table.*?</table>)</div>', r'\1'), 'table-wrap'),
        'no search index': (rm('search.json'), 'search'),
        'page missing from the index': (unindex, 'does not list moe.html'),
        'index lands on no heading': (edit('search.json', r'"id":"expert-load"', '"id":"expert-loads"'), 'is no id of that page'),
        'index out of date': (edit('search-index.js', r'"url":"moe.html"', '"url":"moe2.html"'), 'search-index.js is not search.json'),
        'code widens the page': (edit('site.css', r'pre\{overflow-x:auto', 'pre{overflow-x:visible'), 'code blocks'),
        'images not fitted': (edit('site.css', r'img\{max-width:100%', 'img{max-width:none'), 'images'),
    }
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)/'site'
        shutil.copytree(site, copy)
        if not any('gpt2moe plain site' in p.read_text(errors='replace')[:2000] for p in copy.rglob('*.html')):
            sys.exit('self-test: it breaks the plain site (python tools/build_docs.py --plain), not a Quarto one')
        problems, _ = check(copy, nbs)
        if problems: sys.exit(f'self-test: the intact site does not pass: {problems[:3]}')
        for name, (brk, word) in breaks.items():
            shutil.rmtree(copy); shutil.copytree(site, copy)
            brk(copy)
            hits = [p for p in check(copy, nbs)[0] if word in p]
            print(f"{'ok  ' if hits else 'FAIL'} {name}: {hits[0] if hits else 'not reported'}")
            failed += not hits
    if failed: sys.exit(f'self-test: {failed} of {len(breaks)} breaks went unnoticed')
    print(f'self-test passed: each of {len(breaks)} breaks was reported')

if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--self-test']
    site = Path(args[0]) if args else root/'_docs'
    if '--self-test' in sys.argv: self_test(site, root/'nbs'); sys.exit()
    problems, warnings = check(site, root/'nbs')
    for w in warnings: print('docs: warning:', w)
    for p in problems: print('docs:', p)
    pages = len(list(site.rglob('*.html'))) if site.is_dir() else 0
    if problems: sys.exit(f'docs check failed: {len(problems)} problem(s) in {site} ({pages} pages)')
    plain = any('gpt2moe plain site' in p.read_text(errors='replace')[:2000] for p in site.rglob('*.html'))
    print(f'docs check passed: {pages} pages in {site}, every notebook has a page, no broken internal link, no remote image'
          + ('; every page has search, its contents, previous/next, figures to open full size' if plain else ' (Quarto site: search, contents and pager are Quarto\'s)'))
