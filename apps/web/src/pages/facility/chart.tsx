/**
 * Hand-drawn SVG charts that fit their container (drawn at its real width, so text stays sharp)
 * and say what they show: a title and description for screen readers, and the figures as a table.
 */
import { type ReactNode, type RefObject, useId, useLayoutEffect, useRef, useState } from 'react';
import { barLayout, niceMax, ticksTo } from './chart-scales.ts';

/** The width of an element, kept up to date as it resizes. */
export function useElementWidth<T extends HTMLElement>(fallback = 640): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const next = Math.round(element.getBoundingClientRect().width);
      if (next > 0) setWidth(next);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export interface FigureTable {
  caption: string;
  columns: string[];
  rows: { key: string; cells: ReactNode[] }[];
}

/** A chart's SVG with its accessible title and description, and its figures as a table beneath. */
export function ChartFigure({
  title,
  description,
  width,
  height,
  table,
  legend,
  children,
}: {
  title: string;
  description: string;
  width: number;
  height: number;
  table: FigureTable;
  legend?: ReactNode;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <figure className="fac-figure">
      <svg
        className="fac-chart"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {children}
      </svg>
      {legend && <figcaption className="fac-legend">{legend}</figcaption>}
      <details className="fac-table-details">
        <summary>Show the figures as a table</summary>
        <div className="table-wrap fac-table-wrap">
          <table className="table fac-table">
            <caption>{table.caption}</caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr key={row.key}>
                  {row.cells.map((cell, i) =>
                    i === 0 ? (
                      // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional columns
                      <th key={i} scope="row">
                        {cell}
                      </th>
                    ) : (
                      // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional columns
                      <td key={i}>{cell}</td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

export interface BarDatum {
  key: string;
  /** Under the bar (some are skipped when they would not fit). */
  label: string;
  value: number;
  /** The value as the tooltip and table say it. */
  valueText: string;
  highlight?: boolean;
}

const margin = { left: 52, right: 8, top: 10, bottom: 26 };

/** Vertical bars from 0, with a y axis of round values and labels that never overlap. */
export function BarChart({
  title,
  description,
  bars,
  max,
  formatTick,
  table,
  legend,
  height = 200,
}: {
  title: string;
  description: string;
  bars: BarDatum[];
  /** A fixed top of the axis (100 for percentages); else a round value above the highest bar. */
  max?: number;
  formatTick: (value: number) => string;
  table: FigureTable;
  legend?: ReactNode;
  height?: number;
}) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const top = max ?? niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const area = {
    left: margin.left,
    right: width - margin.right,
    top: margin.top,
    bottom: height - margin.bottom,
  };
  const layout = barLayout(
    bars.map((b) => b.value),
    area,
    top,
  );
  const slot = bars.length > 0 ? (area.right - area.left) / bars.length : 0;
  const longest = Math.max(1, ...bars.map((b) => b.label.length));
  const every = Math.max(1, Math.ceil((longest * 7 + 8) / Math.max(slot, 1)));
  return (
    <div ref={ref} className="fac-chart-box">
      <ChartFigure
        title={title}
        description={description}
        width={width}
        height={height}
        table={table}
        legend={legend}
      >
        {ticksTo(top).map((tick) => {
          const y = area.bottom - ((area.bottom - area.top) * tick) / top;
          return (
            <g key={tick} className="fac-grid">
              <line x1={area.left} x2={area.right} y1={y} y2={y} />
              <text x={area.left - 6} y={y} dy="0.32em" textAnchor="end">
                {formatTick(tick)}
              </text>
            </g>
          );
        })}
        {layout.map((bar, i) => {
          const datum = bars[i]!;
          return (
            <g key={datum.key}>
              <rect
                className={datum.highlight ? 'fac-bar fac-bar-highlight' : 'fac-bar'}
                x={bar.x}
                y={bar.y}
                width={bar.width}
                height={bar.height}
              >
                <title>{`${datum.label}: ${datum.valueText}`}</title>
              </rect>
              {i % every === 0 && (
                <text className="fac-axis-label" x={bar.x + bar.width / 2} y={height - 8} textAnchor="middle">
                  {datum.label}
                </text>
              )}
            </g>
          );
        })}
        <line className="fac-axis" x1={area.left} x2={area.right} y1={area.bottom} y2={area.bottom} />
      </ChartFigure>
    </div>
  );
}
