"""Check the built site in _docs/: every notebook in nbs/ has a page and a place in nbs/sidebar.yml, and every
relative href/src in every HTML page names a file inside _docs/ (http(s), mailto, data: and same-page #anchors
are not followed; an #anchor on another page that has no such id is only a warning). Exits 1 listing what is wrong.

    python tools/check_docs.py [SITE_DIR]
"""
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from nbdev.config import nbpath2html

root = Path(__file__).resolve().parent.parent

class Links(HTMLParser):
    def __init__(self):
        super().__init__(); self.urls, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == 'id' or (k == 'name' and tag == 'a'): self.ids.add(v)
            if k in ('href', 'src') and v: self.urls.append((tag, v))
            if k == 'srcset' and v: self.urls += [(tag, c.split()[0]) for c in v.split(',') if c.strip()]

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
    for page in sorted(site_r.rglob('*.html')):
        for tag, url in parse(page).urls:
            t, where = local_target(page, url, site_r), f'{page.relative_to(site_r)}: <{tag}> {url}'
            if t is None: continue
            if not t.is_relative_to(site_r): problems.append(f'{where} points outside the site')
            elif not t.is_file(): problems.append(f'{where} is missing')
            elif (frag := unquote(urlsplit(url).fragment)) and t.suffix == '.html' and frag not in parse(t).ids:
                warnings.append(f'{where}: {t.relative_to(site_r)} has no element with id "{frag}"')
    return problems, warnings

if __name__ == '__main__':
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else root/'_docs'
    problems, warnings = check(site, root/'nbs')
    for w in warnings: print('docs: warning:', w)
    for p in problems: print('docs:', p)
    pages = len(list(site.rglob('*.html'))) if site.is_dir() else 0
    if problems: sys.exit(f'docs check failed: {len(problems)} problem(s) in {site} ({pages} pages)')
    print(f'docs check passed: {pages} pages in {site}, every notebook has a page, no broken internal link')
