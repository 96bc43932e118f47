// A tiny hand-rolled SVG scatter chart (no plotting dependency for one static picture):
// x = seconds since the run started, y = milliseconds on a log scale, one colour per series.

export interface Point {
  t: number;
  ms: number;
  series: string;
}
export interface Band {
  from: number;
  to: number;
  label: string;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function scatterSvg(title: string, points: Point[], bands: Band[], maxPoints = 6000): string {
  const W = 1000;
  const H = 480;
  const L = 64;
  const R = 180;
  const T = 40;
  const B = 48;
  const step = Math.max(1, Math.ceil(points.length / maxPoints));
  const shown = points.filter((p, i) => i % step === 0 && p.ms > 0);
  const tMax = Math.max(1, ...points.map((p) => p.t), ...bands.map((b) => b.to));
  const yMin = Math.max(1, Math.min(...shown.map((p) => p.ms)));
  const lo = Math.floor(Math.log10(yMin));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...shown.map((p) => p.ms), 10))));
  const x = (t: number) => L + (t / tMax) * (W - L - R);
  const y = (ms: number) => T + (1 - (Math.log10(ms) - lo) / (hi - lo)) * (H - T - B);
  const series = [...new Set(points.map((p) => p.series))];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  bands.forEach((b, i) => {
    out.push(
      `<rect x="${x(b.from).toFixed(1)}" y="${T}" width="${Math.max(1, x(b.to) - x(b.from)).toFixed(1)}" height="${H - T - B}" fill="${i % 2 ? '#f3f3f3' : '#e8eef6'}"/>`,
      `<text x="${(x(b.from) + 3).toFixed(1)}" y="${T + 12 + (i % 3) * 13}" fill="#555" font-size="10">${esc(b.label)}</text>`,
    );
  });
  for (let e = lo; e <= hi; e++) {
    const v = 10 ** e;
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ccc"/>`,
      `<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`,
    );
  }
  const tick = 10 ** Math.floor(Math.log10(tMax)) / (tMax / 10 ** Math.floor(Math.log10(tMax)) < 3 ? 5 : 1);
  for (let t = 0; t <= tMax; t += tick)
    out.push(`<text x="${x(t).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${Math.round(t)}</text>`);
  out.push(
    `<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">seconds since the benchmark started</text>`,
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/>`,
    `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const dots = shown
      .filter((p) => p.series === s)
      .map((p) => `M${x(p.t).toFixed(1)} ${y(p.ms).toFixed(1)}h0`)
      .join('');
    out.push(
      `<path d="${dots}" stroke="${color}" stroke-opacity="0.5" stroke-width="3" stroke-linecap="round"/>`,
    );
    out.push(
      `<circle cx="${W - R + 16}" cy="${T + 10 + i * 18}" r="5" fill="${color}"/>`,
      `<text x="${W - R + 26}" y="${T + 14 + i * 18}">${esc(s)}</text>`,
    );
  });
  out.push(
    `<text x="${W - R + 16}" y="${T + 20 + series.length * 18}" fill="#555" font-size="10">${step > 1 ? `every ${step}th point shown` : 'every point shown'}</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
