/**
 * Collects measurements as they come (one value per repeat) and summarises them into rows of
 * median, min and max, with the ratio to a baseline variant measured side by side.
 */
import { percentile, type Spread, spread } from "./stats.ts";

/** One metric of one variant of one scenario, summarised over its repeats. */
export interface ResultRow extends Spread {
  scenario: string;
  variant: string;
  metric: string;
  unit: string;
  samples: number[];
  /** Median over repeats of `value / baseline value` of the same repeat; absent without one. */
  ratio?: number;
  /** The variant the ratio is taken against. */
  ratioTo?: string;
}

/** Where a metric's ratio comes from. */
interface Series {
  scenario: string;
  variant: string;
  metric: string;
  unit: string;
  samples: number[];
  ratioTo?: string;
}

/** Names the results of one scenario and variant: `key("throughput", "req/s")`. */
export function keyFor(
  scenario: string,
  variant: string,
): (
  metric: string,
  unit: string,
) => { scenario: string; variant: string; metric: string; unit: string } {
  return (metric, unit) => ({ scenario, variant, metric, unit });
}

/** Measurements of one benchmark run. */
export class ResultSet {
  readonly #series = new Map<string, Series>();
  readonly notes: string[] = [];

  /** Records one repeat's value; `ratioTo` names the variant it is compared against. */
  add(
    key: { scenario: string; variant: string; metric: string; unit: string },
    value: number,
    options: { ratioTo?: string } = {},
  ): void {
    const id = seriesId(key.scenario, key.variant, key.metric);
    let series = this.#series.get(id);
    if (series === undefined) {
      series = { ...key, samples: [], ratioTo: options.ratioTo };
      this.#series.set(id, series);
    }
    series.samples.push(value);
  }

  /** Adds a line shown under the table (and kept in the JSON). */
  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** The rows, in the order their first value arrived. */
  rows(): ResultRow[] {
    return [...this.#series.values()].map((series) => {
      const row: ResultRow = { ...series, ...spread(series.samples) };
      delete row.ratioTo;
      if (series.ratioTo !== undefined) {
        const base = this.#series.get(seriesId(series.scenario, series.ratioTo, series.metric));
        if (base !== undefined && base !== series) {
          const pairs = series.samples.flatMap((value, i) => {
            const baseValue = base.samples[i];
            return baseValue === undefined || baseValue === 0 ? [] : [value / baseValue];
          });
          if (pairs.length > 0) {
            row.ratio = percentile(pairs, 50);
            row.ratioTo = series.ratioTo;
          }
        }
      }
      return row;
    });
  }
}

function seriesId(scenario: string, variant: string, metric: string): string {
  return `${scenario}\u0000${variant}\u0000${metric}`;
}
