/**
 * The one table a bench run prints: each figure with Lyceum's value, the baseline's, their
 * ratio, the goal and whether it is met.
 */

/** One row of the table. */
export interface Row {
  figure: string;
  lyceum: string;
  baseline: string;
  /** Lyceum divided by the baseline; null where no baseline applies. */
  ratio: number | null;
  goal: string;
  /** Null when the figure could not be measured. */
  met: boolean | null;
}

/** A row comparing two rates where higher is better, met when the ratio reaches `atLeast`. */
export function rateRow(
  figure: string,
  lyceum: number,
  baseline: number,
  unit: string,
  atLeast: number,
): Row {
  const ratio = lyceum / baseline;
  return {
    figure,
    lyceum: `${formatNumber(lyceum)} ${unit}`,
    baseline: `${formatNumber(baseline)} ${unit}`,
    ratio,
    goal: `≥ ${atLeast}×`,
    met: ratio >= atLeast,
  };
}

/**
 * A row that explains rather than judges: what one unit of work costs Lyceum and the baseline,
 * and how many times the baseline's cost Lyceum's is. No goal applies.
 */
export function costRow(figure: string, lyceum: number, baseline: number, unit: string): Row {
  return {
    figure,
    lyceum: `${formatNumber(lyceum)} ${unit}`,
    baseline: `${formatNumber(baseline)} ${unit}`,
    ratio: lyceum / baseline,
    goal: '(cost, lower is better)',
    met: null,
  };
}

/** A row for a figure that could not be measured, saying why. */
export function failedRow(figure: string, error: Error): Row {
  const reason = error.message.split('\n')[0]?.slice(0, 120) ?? 'failed';
  return { figure, lyceum: `failed: ${reason}`, baseline: '', ratio: null, goal: '', met: null };
}

/** Rounds to three significant digits, with thousands separators. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const rounded = Math.abs(value) >= 1000 ? Number(value.toPrecision(3)) : value;
  return rounded.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** The Markdown table of `rows`. */
export function markdownTable(rows: Row[]): string {
  const lines = [
    '| figure | Lyceum | baseline | ratio | goal | met? |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const ratio = row.ratio === null ? '' : `${row.ratio.toFixed(2)}×`;
    const met = row.met === null ? '—' : row.met ? 'yes' : '**no**';
    lines.push(
      `| ${row.figure} | ${row.lyceum} | ${row.baseline} | ${ratio} | ${row.goal} | ${met} |`,
    );
  }
  return lines.join('\n');
}
