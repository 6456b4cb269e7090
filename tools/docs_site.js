// The plain documentation site's script (tools/build_docs.py copies it to _docs/site.js): search, the table of
// contents' current section, and the figure viewer. Plain JavaScript, no library, no network: the search index is
// search-index.js, loaded with a <script> tag so that it also works from file:// pages.
(function () {
  'use strict';
  const root = document.body.dataset.root || '';
  const esc = s => s.replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  const reEsc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  // ---- search -----------------------------------------------------------------------------------------------
  const input = document.getElementById('search'), box = document.getElementById('search-results');
  let index = null, loading = false, sel = -1, hits = [];
  function load(then) {
    if (index) return then();
    if (loading) return;
    loading = true;
    const s = document.createElement('script');
    s.src = root + 'search-index.js';
    s.onload = () => {
      const ix = window.SEARCH_INDEX;
      index = ix.sections.map(x => {
        const p = ix.pages[x.p];
        return {p, id: x.id, h: x.h, t: x.t, tl: p.title.toLowerCase(), hl: x.h.toLowerCase(), xl: x.t.toLowerCase()};
      });
      then();
    };
    s.onerror = () => { box.innerHTML = '<div class="none">The search index (search-index.js) could not be loaded.</div>'; box.hidden = false; };
    document.head.appendChild(s);
  }
  function count(hay, t) { let n = 0, i = hay.indexOf(t); while (i >= 0 && n < 20) { n++; i = hay.indexOf(t, i + t.length); } return n; }
  const words = t => new RegExp('(?:^|[^a-z0-9])' + reEsc(t), 'g');    // t at the start of a word
  const phraseRe = terms => new RegExp(terms.map(reEsc).join('[\\s_-]+'));
  function find(q) {
    const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) return [];
    const starts = terms.map(words), phrase = terms.length > 1 ? phraseRe(terms) : null, out = [];
    for (const s of index) {
      let score = 0, ok = true;
      for (let k = 0; k < terms.length; k++) {
        const t = terms[k], inH = s.hl.includes(t), inT = s.tl.includes(t), n = count(s.xl, t);
        if (!inH && !inT && !n) { ok = false; break; }
        score += (inH ? 12 : 0) + (inT && !s.id ? 8 : 0) + Math.min(n, 8) + (n ? Math.min((s.xl.match(starts[k]) || []).length, 8) : 0);
      }
      if (!ok) continue;
      if (phrase && (phrase.test(s.hl) || phrase.test(s.xl))) score += 15;
      if (!s.id && terms.every(t => s.tl.includes(t))) score += 4;
      out.push({s, score});
    }
    return out.sort((a, b) => b.score - a.score).slice(0, 20).map(r => r.s);
  }
  function snippet(s, terms) {   // around the phrase, else the first word starting with a term, else any hit
    let i = -1;
    const m = terms.length > 1 && phraseRe(terms).exec(s.xl);
    if (m) i = m.index;
    for (const cand of [words, t => new RegExp(reEsc(t))]) {
      if (i >= 0) break;
      for (const t of terms) { const r = cand(t).exec(s.xl); if (r && (i < 0 || r.index < i)) i = r.index; }
    }
    if (i < 0) return esc(s.t.slice(0, 160)) + (s.t.length > 160 ? '…' : '');
    const a = Math.max(0, i - 60), b = Math.min(s.t.length, i + 150);
    const re = new RegExp('(' + terms.map(t => reEsc(esc(t))).join('|') + ')', 'gi');
    return (a ? '…' : '') + esc(s.t.slice(a, b)).replace(re, '<mark>$1</mark>') + (b < s.t.length ? '…' : '');
  }
  function show() {
    const q = input.value.trim();
    if (!q) { box.hidden = true; box.innerHTML = ''; hits = []; return; }
    hits = find(q); sel = hits.length ? 0 : -1;
    const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    box.innerHTML = hits.length ? hits.map((s, i) =>
      `<a href="${esc(root + s.p.url + (s.id ? '#' + s.id : ''))}"${i === sel ? ' class="sel"' : ''}>` +
      `<span class="where">${esc(s.p.title)}${s.id ? ' <span>› ' + esc(s.h) + '</span>' : ''}</span>` +
      `<span class="snip">${snippet(s, terms)}</span></a>`).join('')
      : `<div class="none">Nothing found for “${esc(q)}”.</div>`;
    box.hidden = false;
  }
  function move(d) {
    const links = box.querySelectorAll('a');
    if (!links.length) return;
    if (sel >= 0) links[sel].classList.remove('sel');
    sel = (sel + d + links.length) % links.length;
    links[sel].classList.add('sel'); links[sel].scrollIntoView({block: 'nearest'});
  }
  if (input && box) {
    input.addEventListener('focus', () => load(() => { if (input.value.trim()) show(); }));
    input.addEventListener('input', () => load(show));
    input.addEventListener('keydown', e => {
      if (e.key === 'ArrowDown') { e.preventDefault(); move(1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
      else if (e.key === 'Enter') { e.preventDefault(); const a = box.querySelectorAll('a')[Math.max(sel, 0)]; if (a) { box.hidden = true; location.href = a.href; } }
      else if (e.key === 'Escape') { box.hidden = true; input.blur(); }
    });
    box.addEventListener('click', e => { if (e.target.closest('a')) box.hidden = true; });
    document.addEventListener('click', e => { if (!e.target.closest('.search')) box.hidden = true; });
    document.addEventListener('keydown', e => {   // "/" jumps to the search box
      if (e.key === '/' && !e.ctrlKey && !e.metaKey && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
        e.preventDefault(); input.focus(); input.select();
      }
    });
  }

  // ---- table of contents: mark the section being read --------------------------------------------------------
  const tocLinks = [...document.querySelectorAll('.toc a')];
  const heads = tocLinks.map(a => document.getElementById(decodeURIComponent(a.hash.slice(1))));
  let ticking = false;
  function spy() {
    ticking = false;
    const y = document.querySelector('.topbar').offsetHeight + 24;
    let cur = -1;
    heads.forEach((h, i) => { if (h && h.getBoundingClientRect().top <= y) cur = i; });
    const last = heads[heads.length - 1];   // at the very bottom the last sections cannot reach the top
    if (innerHeight + scrollY >= document.documentElement.scrollHeight - 2 && last && last.getBoundingClientRect().top < innerHeight) cur = heads.length - 1;
    tocLinks.forEach((a, i) => a.classList.toggle('active', i === cur));
    const nav = document.querySelector('.toc'), a = tocLinks[cur];   // keep it in view in a long, sticky contents
    if (a && nav.scrollHeight > nav.clientHeight) {
      const r = a.getBoundingClientRect(), n = nav.getBoundingClientRect();
      if (r.top < n.top || r.bottom > n.bottom) nav.scrollTop += r.top - n.top - nav.clientHeight / 3;
    }
  }
  const toc = document.querySelector('.toc details');   // on a phone the contents start folded
  if (toc && matchMedia('(max-width: 860px)').matches) toc.open = false;
  if (tocLinks.length) {
    addEventListener('scroll', () => { if (!ticking) { ticking = true; requestAnimationFrame(spy); } }, {passive: true});
    spy();
  }

  // ---- the sidebar shows the current lesson ------------------------------------------------------------------
  const side = document.querySelector('.sidebar'), act = side && side.querySelector('a.active');
  if (act && act.offsetTop > side.clientHeight - 60) side.scrollTop = act.offsetTop - side.clientHeight / 3;

  // ---- figure viewer: a click on a figure shows it over the page, fitted; a click on it, at full size ---------
  let lb = null;
  function closeBox() { if (lb) { lb.remove(); lb = null; document.body.style.overflow = ''; } }
  function openBox(href, alt) {
    closeBox();
    lb = document.createElement('div');
    lb.className = 'lightbox'; lb.setAttribute('role', 'dialog'); lb.setAttribute('aria-label', 'Figure');
    lb.innerHTML = `<img src="${esc(href)}" alt="${esc(alt || '')}"><div class="bar"><span>Click the figure: full size / fit.` +
      ` Esc or a click outside closes.</span><a href="${esc(href)}" target="_blank" rel="noopener">Open the image file</a>` +
      `<button type="button">Close ✕</button></div>`;
    const img = lb.querySelector('img');
    img.addEventListener('click', e => { e.stopPropagation(); lb.classList.toggle('full'); });
    img.addEventListener('load', () => {   // nothing to enlarge: the fitted figure is already at full size
      if (img.naturalWidth <= img.clientWidth && img.naturalHeight <= img.clientHeight) img.style.cursor = 'default';
    });
    lb.querySelector('button').addEventListener('click', closeBox);
    lb.addEventListener('click', e => { if (e.target === lb) closeBox(); });
    document.body.appendChild(lb); document.body.style.overflow = 'hidden';
    lb.querySelector('button').focus({preventScroll: true});
  }
  document.addEventListener('click', e => {
    const a = e.target.closest && e.target.closest('a.figure');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    const img = a.querySelector('img');
    openBox(a.href, img && img.alt);
  });
  document.addEventListener('keydown', e => { if (e.key === 'Escape' && lb) closeBox(); });
})();
