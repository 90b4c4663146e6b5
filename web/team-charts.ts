import { html, type Html } from './html';

/**
 * Horizontal bar charts drawn on the server as inline SVG: each bar with its label and its value
 * in text, so that the chart reads without colour and without script; the table beside it is the
 * accessible alternative (the SVG is an image with a title and a description).
 */
export interface BarSeries {
  name: string;
  /** A colour with at least 3:1 contrast on white. */
  colour: string;
}

export interface BarGroup {
  label: string;
  /** One value per series; null: no figure (drawn as "–"). */
  values: (number | null)[];
  /** The text beside each bar ("25,0%", "12"). */
  texts: string[];
}

export const seriesColours = ['#00487a', '#00703c', '#8a4b00', '#5a2a82'] as const;

const LABEL_WIDTH = 230;
const BAR_WIDTH = 210;
const VALUE_WIDTH = 60;
const BAR_HEIGHT = 16;
const GAP = 12;
const WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;

/** Cut a label to what fits beside the bars; the table has it whole. */
const fit = (label: string) => (label.length > 30 ? `${label.slice(0, 29)}…` : label);

export function barChart(input: { id: string; title: string; description: string; series: BarSeries[]; groups: BarGroup[]; max?: number }): Html {
  const { series, groups } = input;
  const max = Math.max(input.max ?? 0, ...groups.flatMap((g) => g.values.map((v) => v ?? 0)), 1e-9);
  const groupHeight = series.length * BAR_HEIGHT + GAP;
  const height = groups.length * groupHeight + GAP;
  const parts: Html[] = [];
  groups.forEach((group, g) => {
    const top = GAP + g * groupHeight;
    const labelY = top + (series.length * BAR_HEIGHT) / 2 + 4;
    parts.push(html`<text x="${LABEL_WIDTH - 8}" y="${labelY}" text-anchor="end" fill="#1b1b1b">${fit(group.label)}</text>`);
    series.forEach((s, i) => {
      const value = group.values[i] ?? null;
      const width = value === null ? 0 : Math.max(value > 0 ? 2 : 0, Math.round((value / max) * BAR_WIDTH));
      const y = top + i * BAR_HEIGHT;
      parts.push(html`<rect x="${LABEL_WIDTH}" y="${y + 1}" width="${width}" height="${BAR_HEIGHT - 3}" fill="${s.colour}"></rect>`);
      parts.push(html`<text x="${LABEL_WIDTH + width + 4}" y="${y + BAR_HEIGHT - 4}" fill="#1b1b1b">${group.texts[i] ?? '–'}</text>`);
    });
  });
  return html`<svg class="chart" id="${input.id}" role="img" aria-labelledby="${input.id}-title ${input.id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="${input.id}-title">${input.title}</title>
<desc id="${input.id}-desc">${input.description}</desc>
<line x1="${LABEL_WIDTH}" y1="${GAP / 2}" x2="${LABEL_WIDTH}" y2="${height - GAP / 2}" stroke="#545454"></line>
${parts}
</svg>${
    series.length > 1
      ? html`<ul class="legend" aria-hidden="true">${series.map((s) => html`<li><svg class="swatch" width="16" height="16" aria-hidden="true"><rect width="16" height="16" fill="${s.colour}" stroke="#1b1b1b"></rect></svg> ${s.name}</li>`)}</ul>`
      : ''
  }`;
}
