/**
 * Training curves as a small standalone SVG: training loss and validation NLL per epoch.
 *
 * @example
 * writeFileSync('curves.svg', curvesSvg(history));
 */
import type { EpochRecord } from './train.js';

export function curvesSvg(history: readonly EpochRecord[]): string {
  const W = 640;
  const H = 360;
  const pad = { l: 56, r: 16, t: 28, b: 40 };
  const ys = history.flatMap((h) => [h.trainLoss, h.validationNll]).filter((v): v is number => Number.isFinite(v));
  const lo = Math.floor(Math.min(...ys, 10) * 10) / 10;
  const hi = Math.ceil(Math.max(...ys, 0) * 10) / 10;
  const n = Math.max(history.length, 2);
  const x = (i: number) => pad.l + ((W - pad.l - pad.r) * i) / (n - 1);
  const y = (v: number) => pad.t + ((H - pad.t - pad.b) * (hi - v)) / (hi - lo || 1);
  // a fine-tune's epoch 0 has no training loss: that line starts at epoch 1; a run with no validation has no validation line
  const line = (key: 'trainLoss' | 'validationNll', color: string) => {
    const at = history.map((h, i) => [i, h[key]] as const).filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
    return (
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${at.map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>` +
      at.map(([i, v]) => `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"><title>epoch ${history[i].epoch}: ${v}</title></circle>`).join('')
    );
  };
  const ticks = Array.from({ length: 6 }, (_, k) => lo + ((hi - lo) * k) / 5);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.l}" y="18" font-size="14">pulse-rnn training: nats per step</text>
${ticks.map((v) => `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`).join('\n')}
${history.map((h, i) => `<text x="${x(i)}" y="${H - pad.b + 16}" text-anchor="middle">${h.epoch}</text>`).join('')}
<text x="${W / 2}" y="${H - 6}" text-anchor="middle">epoch</text>
${line('trainLoss', '#1f77b4')}
${line('validationNll', '#d62728')}
<text x="${W - 180}" y="${pad.t + 14}" fill="#1f77b4">training loss</text>
<text x="${W - 180}" y="${pad.t + 30}" fill="#d62728">validation NLL</text>
</svg>
`;
}
