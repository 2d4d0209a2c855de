// A tiny SVG line chart for recall-vs-QPS curves: no dependencies.
// x: recall@10 on a "nines" scale (-log10(1 - recall)), so 0.9, 0.99 and 0.999 are equally
// spaced and the high-recall end is readable; y: QPS on a log scale.

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function recallChart({ title, subtitle, series, width = 860, height = 540 }) {
  const margin = { left: 70, right: 230, top: 56, bottom: 56 };
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const nines = (r) => -Math.log10(1 - Math.min(r, 0.9995));
  const xTicks = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999];
  const [x0, x1] = [nines(0.5), nines(0.999)];
  const all = series.flatMap((s) => s.points).filter((p) => p.recall >= 0.5);
  const qps = all.map((p) => p.qps);
  const y0 = Math.floor(Math.log10(Math.min(...qps)));
  const y1 = Math.ceil(Math.log10(Math.max(...qps)));
  const X = (r) => margin.left + ((nines(r) - x0) / (x1 - x0)) * w;
  const Y = (q) => margin.top + h - ((Math.log10(q) - y0) / (y1 - y0)) * h;
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${margin.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  if (subtitle) parts.push(`<text x="${margin.left}" y="40" fill="#555">${esc(subtitle)}</text>`);
  // Grid and axes.
  for (const t of xTicks) {
    const x = X(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + h}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x}" y="${margin.top + h + 16}" text-anchor="middle">${t}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    for (const m of [1, 2, 5]) {
      const q = m * 10 ** e;
      if (Math.log10(q) > y1 + 1e-9) continue;
      const y = Y(q).toFixed(1);
      parts.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + w}" y2="${y}" stroke="${m === 1 ? '#cfcfcf' : '#eeeeee'}"/>`);
      parts.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${q.toLocaleString('en-US')}</text>`);
    }
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${margin.left + w / 2}" y="${height - 14}" text-anchor="middle">recall@10 (nines scale)</text>`);
  parts.push(`<text transform="translate(18 ${margin.top + h / 2}) rotate(-90)" text-anchor="middle">queries per second, one thread (log scale)</text>`);
  // Curves, clipped to the plot.
  parts.push(`<clipPath id="plot"><rect x="${margin.left}" y="${margin.top}" width="${w}" height="${h}"/></clipPath>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p.recall >= 0.45).sort((a, b) => a.recall - b.recall);
    if (pts.length === 0) return;
    const d = pts.map((p, j) => `${j ? 'L' : 'M'}${X(p.recall).toFixed(1)},${Y(p.qps).toFixed(1)}`).join(' ');
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    parts.push(`<g clip-path="url(#plot)"><path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const p of pts) parts.push(`<circle cx="${X(p.recall).toFixed(1)}" cy="${Y(p.qps).toFixed(1)}" r="2.6" fill="${s.color}"/>`);
    parts.push('</g>');
    const ly = margin.top + 10 + i * 20;
    const lx = margin.left + w + 14;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
