/**
 * The layout rule every page is held to, run inside the page (page.evaluate: self-contained, no
 * imports, no closures over this module). Each problem is one line naming the element and the
 * text: `<where>: <what>`. What it holds (issue 58, "Held to a rule in a real browser"):
 *
 * - no word (a maximal run of non-space characters in one text node: a name, a number, a price,
 *   an ARN) inside a table cell, heading, card, chart title or legend is broken across lines; one
 *   of SHORT_WORD characters or more (an ARN, a policy's resource) may wrap after a separator
 *   (`-`, `/`, `:`, `.`, `–`), a shorter one (`fanout-connect`, `report-lines`) never;
 * - no element is wider than its container: cells, cards, sections, chart boxes and the page
 *   itself (`scrollWidth > clientWidth` where the element has no scroll box of its own);
 * - no text overlaps other text (the line boxes of different text nodes intersect);
 * - every chart has a title; a chart with data draws every series that has values, an isolated
 *   point between gaps included; a chart without data says so under its title, with why;
 * - the time charts of a page share the run's origin: their x axes start at 0:00;
 * - a legend shows no values while no one hovers (no `time: –`);
 * - on a canvas chart, the axis title has room by construction: the axis's size holds its ticks,
 *   the gap and the widest tick label, so the title beyond it cannot overlap them.
 */
export function layoutProblems(): string[] {
  const out: string[] = [];
  const SEPARATORS = '-/:.–—';
  // issue 70: a name shorter than this never wraps, not even at its hyphen
  const SHORT_WORD = 25;
  const clip = (t: string) => (t.length > 80 ? `${t.slice(0, 77)}…` : t);
  const where = (el: Element): string => {
    const section = el.closest('section');
    const head = section?.querySelector('h2')?.textContent?.trim() ?? (el.closest('header') ? 'header' : 'page');
    const cls = el.getAttribute('class') ? `.${el.getAttribute('class')!.trim().split(/\s+/).join('.')}` : '';
    return `[${head}] ${el.tagName.toLowerCase()}${cls}`;
  };
  const visible = (el: Element) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility();
  };

  // 1. words broken across lines
  const SCOPES = 'td, th, h1, h2, h3, h4, figcaption, .card, .u-legend, dt, dd';
  const scopes = Array.from(document.querySelectorAll(SCOPES)).filter((el) => !el.parentElement?.closest(SCOPES) && visible(el));
  const sameLine = (a: DOMRect, b: DOMRect) => a.top < b.bottom - 2 && b.top < a.bottom - 2;
  for (const scope of scopes) {
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.parentElement?.closest('pre, script, style') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      for (const m of node.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
        if (rects.every((r) => sameLine(r, rects[0]!))) continue;
        // where the word breaks: a character on a line below the one before it
        const word = m[0];
        let prev: DOMRect | undefined;
        const breaks: number[] = [];
        for (let i = 0; i < word.length; i++) {
          range.setStart(node, m.index + i);
          range.setEnd(node, m.index + i + 1);
          const r = Array.from(range.getClientRects()).find((x) => x.width > 0);
          if (!r) continue;
          if (prev && !sameLine(prev, r) && (word.length < SHORT_WORD || !SEPARATORS.includes(word[i - 1]!))) breaks.push(i);
          prev = r;
        }
        if (breaks.length > 0) {
          const shown = breaks.reduceRight((w, i) => `${w.slice(0, i)}⏎${w.slice(i)}`, word);
          out.push(`${where(scope)}: word broken: "${clip(shown)}"`);
        }
      }
    }
  }

  // 2. wider than its container (no scroll box of its own), and the page wider than the window
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push(`page: ${doc.scrollWidth} px wide in a ${doc.clientWidth} px window`);
  for (const el of Array.from(document.querySelectorAll('td, th, .card, pre, section, .chart-box, .chart, .banner, h1, h2, h3, figcaption'))) {
    if (!visible(el)) continue;
    const style = getComputedStyle(el);
    const scrolls = (v: string) => v === 'auto' || v === 'scroll';
    if (el.scrollWidth > el.clientWidth + 1 && !scrolls(style.overflowX)) {
      out.push(`${where(el)}: content ${el.scrollWidth} px wide in ${el.clientWidth} px: "${clip((el.textContent ?? '').trim())}"`);
    }
    if (el.scrollHeight > el.clientHeight + 1 && style.overflowY === 'hidden') out.push(`${where(el)}: content cut off at the bottom: "${clip((el.textContent ?? '').trim())}"`);
  }

  // 3. text over text: every line box of every visible text node, against those of other nodes
  const boxes: Array<{ r: DOMRect; node: Text }> = [];
  const all = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (/\S/.test((n as Text).data) && !n.parentElement?.closest('script, style') && n.parentElement?.checkVisibility() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
  });
  // what a scroll box hides of its text is not on the page: each line box is cut to the boxes that clip it
  const clips = new Map<Element, DOMRect[]>();
  const clipsOf = (el: Element): DOMRect[] => {
    let got = clips.get(el);
    if (!got) {
      const parent = el.parentElement;
      got = parent ? clipsOf(parent) : [];
      if (getComputedStyle(el).overflow !== 'visible') got = [...got, el.getBoundingClientRect()];
      clips.set(el, got);
    }
    return got;
  };
  for (let node = all.nextNode() as Text | null; node; node = all.nextNode() as Text | null) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const cuts = clipsOf(node.parentElement!);
    for (const raw of Array.from(range.getClientRects())) {
      let [left, top, right, bottom] = [raw.left, raw.top, raw.right, raw.bottom];
      for (const c of cuts) [left, top, right, bottom] = [Math.max(left, c.left), Math.max(top, c.top), Math.min(right, c.right), Math.min(bottom, c.bottom)];
      if (right - left > 1 && bottom - top > 1) boxes.push({ r: new DOMRect(left, top, right - left, bottom - top), node });
    }
  }
  boxes.sort((a, b) => a.r.top - b.r.top);
  const seen = new Set<string>();
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    for (let j = i + 1; j < boxes.length && boxes[j]!.r.top < a.r.bottom - 3; j++) {
      const b = boxes[j]!;
      if (b.node === a.node) continue;
      const dx = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const dy = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (dx > 2 && dy > 3) {
        const key = `${a.node.data}|${b.node.data}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(`${where(a.node.parentElement!)}: text "${clip(a.node.data.trim())}" overlaps "${clip(b.node.data.trim())}"`);
      }
    }
  }

  // 4. charts: a title, drawn, the empty ones saying why
  const data: Record<string, unknown> = {};
  for (const s of Array.from(document.querySelectorAll('script[type="application/json"]'))) Object.assign(data, JSON.parse(s.textContent || '{}'));
  const hasValues = (v: unknown): boolean =>
    Array.isArray(v) ? v.some((x) => (typeof x === 'number' && isFinite(x)) || (typeof x === 'object' && x !== null && hasValues(x))) : typeof v === 'object' && v !== null && Object.entries(v).some(([k, x]) => ['values', 'points', 'series'].includes(k) && hasValues(x));
  const rgb = (color: string): number[] | null => {
    const m = /^#([0-9a-f]{6})/i.exec(color);
    return m ? [0, 2, 4].map((i) => parseInt(m[1]!.slice(i, i + 2), 16)) : null;
  };
  type Axis = { show: boolean; side: number; _size: number; _values: string[] | null; label?: unknown; labelGap: number; labelSize: number; gap: number; ticks: { show: boolean; size: number }; font: [string, number] };
  type Series = { show: boolean; label?: string; scale: string; stroke: unknown; _paths?: unknown; points: { show: unknown } };
  type Plot = {
    series: Series[];
    axes: Axis[];
    data: Array<Array<number | null>>;
    scales: Record<string, { min: number; max: number }>;
    ctx: CanvasRenderingContext2D;
    valToPos: (v: number, scale: string, canvas?: boolean) => number;
    bbox: { left: number; top: number; width: number; height: number };
  };
  const elapsed: Array<{ id: string; min: number }> = [];
  for (const box of Array.from(document.querySelectorAll('.chart-box'))) {
    if (!visible(box)) continue;
    const title = box.querySelector('figcaption')?.textContent?.trim() ?? '';
    if (!title) out.push(`${where(box)}: a chart without a title: "${clip((box.textContent ?? '').trim())}"`);
    const el = box.querySelector<HTMLElement>('[data-chart]');
    if (!el) {
      const why = (box.textContent ?? '').trim().slice(title.length).trim();
      if (!why || why === 'No data for this chart.') out.push(`${where(box)}: "${title}" has no data and does not say which it lacks or why`);
      continue;
    }
    const id = el.dataset.chart!;
    const spec = data[id] as { xKind?: string } | undefined;
    const plot = (el as HTMLElement & { fanoutPlot?: Plot }).fanoutPlot;
    if (!plot) {
      if (spec && hasValues(spec)) out.push(`${where(box)}: "${title}" has data but no chart was drawn`);
      continue;
    }
    if (spec?.xKind === 'elapsed') elapsed.push({ id: title, min: plot.scales.x!.min });
    const canvas = plot.ctx.canvas;
    const pixels = plot.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    // the canvas's opaque colours, counted once: a series' colour is looked up among them
    const colours = new Map<number, number>();
    for (let k = 0; k < pixels.length; k += 4) {
      if (pixels[k + 3]! <= 100) continue;
      const key = (pixels[k]! << 16) | (pixels[k + 1]! << 8) | pixels[k + 2]!;
      colours.set(key, (colours.get(key) ?? 0) + 1);
    }
    const anywhere = (c: number[]) => {
      let n = 0;
      for (const [key, count] of colours) if (Math.abs(((key >> 16) & 255) - c[0]!) + Math.abs(((key >> 8) & 255) - c[1]!) + Math.abs((key & 255) - c[2]!) < 60) n += count;
      return n;
    };
    const near = (c: number[], x0: number, y0: number, x1: number, y1: number) => {
      let n = 0;
      for (let y = Math.max(0, Math.floor(y0)); y < Math.min(canvas.height, Math.ceil(y1)); y++) {
        for (let x = Math.max(0, Math.floor(x0)); x < Math.min(canvas.width, Math.ceil(x1)); x++) {
          const k = (y * canvas.width + x) * 4;
          if (pixels[k + 3]! > 100 && Math.abs(pixels[k]! - c[0]!) + Math.abs(pixels[k + 1]! - c[1]!) + Math.abs(pixels[k + 2]! - c[2]!) < 60) n++;
        }
      }
      return n;
    };
    const dpr = canvas.width / Math.max(1, canvas.getBoundingClientRect().width);
    const xs = plot.data[0]!;
    const xScale = plot.scales.x!;
    plot.series.forEach((s, i) => {
      if (i === 0 || !s.show) return;
      const stroke = typeof s.stroke === 'function' ? (s.stroke as (u: unknown, i: number) => string)(plot, i) : String(s.stroke ?? '');
      const c = rgb(stroke);
      const ys = plot.data[i] ?? [];
      // values a reader should see: not zero (a zero lies on the axis, under whatever is drawn there), in view
      const shown = ys.map((v, k) => (v != null && isFinite(v) && v !== 0 && xs[k]! >= xScale.min && xs[k]! <= xScale.max ? k : -1)).filter((k) => k >= 0);
      if (!c || shown.length === 0) return;
      // a value drawn over by a later series with the same value there (p90 = p99 in a quiet run; a
      // function's concurrency under the account's) is not missing
      const coveredAt = (k: number) => plot.series.some((o, j) => j > i && o.show && o.scale === s.scale && plot.data[j]?.[k] === ys[k]);
      if (shown.every(coveredAt)) return;
      if (anywhere(c) === 0) {
        out.push(`${where(box)}: "${title}": series "${s.label}" has ${shown.length} values and is not drawn`);
        return;
      }
      // a point between gaps (undefined: uPlot.join's alignment with another series' x, not a gap): its own mark where it is
      const neighbour = (k: number, step: number) => {
        for (let j = k + step; j >= 0 && j < ys.length; j += step) if (ys[j] !== undefined) return ys[j];
        return null;
      };
      for (const k of shown) {
        if (neighbour(k, -1) != null || neighbour(k, 1) != null || coveredAt(k)) continue;
        const px = plot.valToPos(xs[k]!, 'x', true);
        const py = plot.valToPos(ys[k]!, s.scale, true);
        const r = 5 * dpr;
        if (near(c, px - r, py - r, px + r, py + r) === 0) out.push(`${where(box)}: "${title}": series "${s.label}"'s point at x=${xs[k]} (${ys[k]}) between gaps is not drawn`);
      }
    });
    // the axis title beyond the ticks: room for the widest tick label in the axis's size
    const measure = document.createElement('canvas').getContext('2d')!;
    plot.axes.forEach((a, i) => {
      if (!a.show || a.label == null || a.label === '' || !a._values) return;
      const ticks = a.ticks.show ? a.ticks.size : 0;
      measure.font = a.font[0];
      const widest = Math.max(0, ...a._values.map((v) => measure.measureText(String(v ?? '')).width / dpr));
      const need = a.side % 2 === 1 ? ticks + a.gap + widest : ticks + a.gap + a.font[1];
      if (a._size + a.labelGap < need - 0.5) {
        out.push(`${where(box)}: "${title}": axis ${i} ("${a.label}") is ${a._size} px for ${Math.ceil(need)} px of ticks: its title overlaps its tick labels`);
      }
    });
  }
  // 5. one time origin: every time chart starts at 0:00, the run's start
  const origins = [...new Set(elapsed.map((e) => e.min))];
  if (origins.length > 1 || (origins.length === 1 && origins[0] !== 0)) out.push(`time axes start at ${elapsed.map((e) => `${e.min} s (${e.id})`).join(', ')}: not one origin at 0:00`);

  // 6. legends without values while nothing is hovered
  for (const v of Array.from(document.querySelectorAll('.u-legend .u-value'))) {
    const t = (v.textContent ?? '').trim();
    if (t !== '') out.push(`${where(v.closest('.chart-box') ?? v)}: legend shows "${clip(t)}" with nothing hovered`);
  }
  return out;
}

/**
 * Each chart hovered in turn, as a reader's pointer would (the mouse events uPlot listens to, at
 * several places across its plot): the legend values that say nothing there, a dash where a
 * series has no value, or that stay once the pointer has left.
 */
export function hoveredDashes(): string[] {
  const out: string[] = [];
  for (const over of Array.from(document.querySelectorAll<HTMLElement>('.chart-box .u-over'))) {
    const box = over.closest('.chart-box')!;
    const title = box.querySelector('figcaption')?.textContent?.trim() ?? '';
    const r = over.getBoundingClientRect();
    if (r.width === 0) continue;
    const values = () => Array.from(box.querySelectorAll('.u-legend .u-series')).map((row) => ({ label: row.querySelector('.u-label')?.textContent ?? '', v: row.querySelector('.u-value')?.textContent?.trim() ?? '' }));
    over.dispatchEvent(new MouseEvent('mouseenter', { clientX: r.left + 1, clientY: r.top + 1, bubbles: false }));
    for (const f of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      over.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + r.width * f, clientY: r.top + r.height / 2, bubbles: true }));
      for (const { label, v } of values()) if (/^[–—-]$/.test(v)) out.push(`"${title}" hovered at ${Math.round(f * 100)} %: legend says ${label}: ${v}`);
    }
    over.dispatchEvent(new MouseEvent('mouseleave', { clientX: r.left - 5, clientY: r.top - 5, bubbles: false }));
  }
  return [...new Set(out)];
}
