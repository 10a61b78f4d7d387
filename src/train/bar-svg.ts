/**
 * One bar of drum hits against another as a small standalone SVG: a row per drum class, each
 * row holding one lane per bar (a real one and a generated one, say), each hit a bar drawn at
 * its step plus its offset, as tall and as bright as its velocity. Read it like the page's step
 * grid: a cell is a step, its left edge the step's grid line, so a late hit sits right of the
 * line and an early one left of it.
 *
 * @example
 * writeFileSync('bar.svg', barSvg({
 *   title: 'drums-expressive, seed 3',
 *   classes: ['kick', 'snare'],
 *   stepsPerBar: 16,
 *   lanes: [
 *     { label: 'GMD test split, drummer1/…, bar 5', color: '#1f6fb4', hits: [{ step: 0, cls: 0, velocity: 96, offset: 0.04 }] },
 *     { label: 'model, bar 3', color: '#e0701c', hits: [{ step: 0, cls: 0, velocity: 100, offset: -0.03 }] },
 *   ],
 * }));
 */

/** A hit within the bar: `step` from 0, `offset` a fraction of a step (positive = late). */
export interface BarHit {
  step: number;
  cls: number;
  velocity: number;
  offset: number;
}

export interface BarLane {
  /** What the lane shows, for the legend. */
  label: string;
  color: string;
  hits: readonly BarHit[];
}

export interface BarPicture {
  title: string;
  /** A second line under the title (default none). */
  subtitle?: string;
  /** Names of the classes, a row each, top to bottom. */
  classes: readonly string[];
  stepsPerBar: number;
  /** Steps to a beat (default 4: 16ths). */
  stepsPerBeat?: number;
  lanes: readonly BarLane[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (x: number) => x.toFixed(1);

const LABEL_W = 100;
const CELL = 46;
const LANE_H = 28;
const ROW_GAP = 8;
const TOP = 78;
/** Room left of step 0's line for a hit half a step early. */
const LEFT_PAD = CELL / 2 + 4;

/** The brightness of a hit: a ghost note dim, 127 full. */
const opacity = (velocity: number) => 0.25 + 0.75 * Math.min(1, velocity / 127);

function hitMark(h: BarHit, lane: BarLane, laneIndex: number, x0: number, rowY: number): string {
  const v = Math.max(0, Math.min(127, h.velocity));
  const height = Math.max(1.5, (LANE_H - 2) * (v / 127));
  const bottom = rowY + (laneIndex + 1) * LANE_H - 1;
  const x = x0 + (h.step + h.offset) * CELL;
  const sign = h.offset >= 0 ? '+' : '';
  return `<rect class="hit" data-lane="${laneIndex}" x="${f(x - 2)}" y="${f(bottom - height)}" width="4" height="${f(height)}" fill="${lane.color}" fill-opacity="${opacity(v).toFixed(2)}"><title>${esc(lane.label)}: step ${h.step + 1}, velocity ${v}, offset ${sign}${h.offset.toFixed(3)} of a step</title></rect>`;
}

function grid(p: BarPicture, x0: number, rowsH: number): string[] {
  const perBeat = p.stepsPerBeat ?? 4;
  const out: string[] = [];
  for (let s = 0; s <= p.stepsPerBar; s++) {
    const beat = s % perBeat === 0;
    const x = x0 + s * CELL;
    out.push(`<line x1="${f(x)}" x2="${f(x)}" y1="${TOP - 6}" y2="${f(TOP + rowsH)}" stroke="${beat ? '#999' : '#ddd'}"/>`);
    if (beat && s < p.stepsPerBar) out.push(`<text x="${f(x + 3)}" y="${TOP - 10}" font-weight="bold">${s / perBeat + 1}</text>`);
    else if (s < p.stepsPerBar) out.push(`<text x="${f(x + 3)}" y="${TOP - 10}" fill="#999" font-size="10">${s + 1}</text>`);
  }
  return out;
}

function legend(p: BarPicture, y: number): string[] {
  const out = p.lanes.map((lane, i) => `<rect x="${LABEL_W}" y="${y + i * 18 - 10}" width="12" height="12" fill="${lane.color}"/><text x="${LABEL_W + 18}" y="${y + i * 18}">${esc(lane.label)}${p.lanes.length > 1 ? ` (${i === 0 ? 'upper' : i === 1 ? 'lower' : `lane ${i + 1}`} lane of each row)` : ''}</text>`);
  const y2 = y + p.lanes.length * 18 + 6;
  out.push(`<text x="${LABEL_W}" y="${y2}" fill="#444">height and brightness: velocity</text>`);
  [30, 70, 110, 127].forEach((v, i) => {
    const x = LABEL_W + 200 + i * 64;
    const h = (LANE_H - 2) * (v / 127);
    out.push(`<rect x="${x}" y="${f(y2 + 2 - h)}" width="3" height="${f(h)}" fill="#555" fill-opacity="${opacity(v).toFixed(2)}"/><text x="${x + 7}" y="${y2}" fill="#444">${v}</text>`);
  });
  out.push(`<text x="${LABEL_W}" y="${y2 + 20}" fill="#444">across: the hit's step plus its offset; a cell is a step, its left edge the grid line (a hit right of it is late, left of it early)</text>`);
  return out;
}

/** The picture as an SVG document. */
export function barSvg(p: BarPicture): string {
  const rowH = p.lanes.length * LANE_H + ROW_GAP;
  const rowsH = p.classes.length * rowH;
  const x0 = LABEL_W + LEFT_PAD;
  const W = Math.ceil(x0 + p.stepsPerBar * CELL + CELL / 2 + 12);
  const legendY = TOP + rowsH + 28;
  const H = legendY + p.lanes.length * 18 + 46;
  const rows = p.classes.map((name, c) => {
    const y = TOP + c * rowH;
    const bands = p.lanes.map((_, i) => `<rect x="${x0 - LEFT_PAD}" y="${y + i * LANE_H}" width="${f(p.stepsPerBar * CELL + 2 * LEFT_PAD)}" height="${LANE_H}" fill="${i % 2 ? '#f4f4f4' : '#fafafa'}"/>`);
    return `<g class="row" data-class="${esc(name)}">${bands.join('')}<text x="${LABEL_W - 8}" y="${f(y + (p.lanes.length * LANE_H) / 2 + 4)}" text-anchor="end">${esc(name)}</text></g>`;
  });
  const marks = p.lanes.flatMap((lane, i) => lane.hits.map((h) => hitMark(h, lane, i, x0, TOP + h.cls * rowH)));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="12" y="22" font-size="15">${esc(p.title)}</text>
${p.subtitle ? `<text x="12" y="40" fill="#444">${esc(p.subtitle)}</text>` : ''}
<text x="${LABEL_W - 8}" y="${TOP - 10}" text-anchor="end" fill="#444">beat</text>
${rows.join('\n')}
${grid(p, x0, rowsH).join('\n')}
${marks.join('\n')}
${legend(p, legendY).join('\n')}
</svg>
`;
}
