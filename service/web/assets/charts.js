// SVG charts drawn here (no library): line charts over runs and a bar chart, each with a <title>
// and <desc> for screen readers and its numbers as a table under a <details> fallback.
import {el, svgEl, uniqueId} from './dom.js';
import {formatNumber, t} from './i18n.js';

// Geometry in SVG units (the SVG scales to its box): "large" for a chart on its own, "small" for
// the small multiples of the trend, so that the 12-unit text stays readable in both.
const SIZES = {
  large: {width: 640, height: 240, labels: 8},
  small: {width: 360, height: 200, labels: 4},
};
const MARGIN = {left: 44, right: 40, top: 14, bottom: 38};

function geometry(size) {
  const {width, height, labels} = SIZES[size] || SIZES.large;
  return {
    width,
    height,
    labels,
    plotWidth: width - MARGIN.left - MARGIN.right,
    plotHeight: height - MARGIN.top - MARGIN.bottom,
  };
}

function formatValue(value, unit) {
  if (value === null || value === undefined) return t('common.none');
  return formatNumber(value, 1) + (unit ? ' ' + unit : '');
}

function yOf(g, value, yMax) {
  return MARGIN.top + g.plotHeight * (1 - Math.max(0, Math.min(value, yMax)) / yMax);
}

function chartSvg(g, kind, title, description) {
  const titleId = uniqueId('chart-title');
  const descId = uniqueId('chart-desc');
  return svgEl(
    'svg',
    {
      className: 'chart-svg ' + kind,
      attrs: {
        viewBox: `0 0 ${g.width} ${g.height}`,
        role: 'img',
        'aria-labelledby': titleId + ' ' + descId,
      },
    },
    [
      svgEl('title', {text: title, attrs: {id: titleId}}),
      svgEl('desc', {text: description, attrs: {id: descId}}),
    ]);
}

function yAxis(g, svg, yMax, unit) {
  for (let i = 0; i <= 4; i += 1) {
    const value = (yMax * i) / 4;
    const y = yOf(g, value, yMax);
    svg.append(
      svgEl('line', {
        className: i === 0 ? 'axis' : 'grid',
        attrs: {x1: MARGIN.left, x2: g.width - MARGIN.right, y1: y, y2: y},
      }),
      svgEl('text', {
        className: 'tick',
        text: formatNumber(value, 0) + (unit === '%' ? '%' : ''),
        attrs: {x: MARGIN.left - 6, y: y + 4, 'text-anchor': 'end'},
      }));
  }
}

// The numbers of a chart as a table (the text fallback).
function dataTable(title, headers, rows) {
  return el('details', {className: 'chart-data'}, [
    el('summary', {text: t('chart.data')}),
    el('table', {}, [
      el('caption', {text: title}),
      el('thead', {}, [
        el('tr', {}, headers.map((h) => el('th', {text: h, attrs: {scope: 'col'}}))),
      ]),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) =>
        i === 0 ? el('th', {text: c, attrs: {scope: 'row'}}) : el('td', {text: c}))))),
    ]),
  ]);
}

function legend(series) {
  if (series.length < 2) return null;
  return el('ul', {className: 'legend'}, series.map((s, i) =>
    el('li', {}, [
      el('span', {className: `swatch series-${i}`, attrs: {'aria-hidden': 'true'}}),
      s.name,
    ])));
}

// A line chart: `labels` along x (one per run or audit), each series a list of values (null: no
// value) from 0 to yMax. Points carry their value in a <title> (a tooltip).
export function lineChart({title, labels, series, yMax = 100, unit = '', size = 'large'}) {
  const g = geometry(size);
  const last = series.map((s) => {
    for (let i = s.values.length - 1; i >= 0; i -= 1)
      if (s.values[i] !== null && s.values[i] !== undefined)
        return `${s.name}: ${formatValue(s.values[i], unit)} (${labels[i]})`;
    return `${s.name}: ${t('common.none')}`;
  });
  const svg = chartSvg(g, 'line-chart', title, t('chart.latest', {value: last.join('; ')}));
  yAxis(g, svg, yMax, unit);
  const n = labels.length;
  const xOf = (i) =>
    (n === 1 ? MARGIN.left + g.plotWidth / 2 : MARGIN.left + (g.plotWidth * i) / (n - 1));
  const step = Math.max(1, Math.ceil(n / g.labels));
  labels.forEach((label, i) => {
    if (i % step !== 0 && i !== n - 1) return;
    svg.append(svgEl('text', {
      className: 'tick',
      text: label,
      attrs: {x: xOf(i), y: g.height - MARGIN.bottom + 18, 'text-anchor': 'middle'},
    }));
  });
  let points = 0;
  series.forEach((s, index) => {
    let d = '';
    let pen = false;
    s.values.forEach((value, i) => {
      if (value === null || value === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${xOf(i).toFixed(1)} ${yOf(g, value, yMax).toFixed(1)} `;
      pen = true;
    });
    if (d) svg.append(svgEl('path', {className: `line series-${index}`, attrs: {d: d.trim()}}));
    s.values.forEach((value, i) => {
      if (value === null || value === undefined) return;
      points += 1;
      svg.append(svgEl(
        'circle',
        {className: `point series-${index}`, attrs: {cx: xOf(i), cy: yOf(g, value, yMax), r: 4}},
        [svgEl('title', {text: `${s.name}, ${labels[i]}: ${formatValue(value, unit)}`})]));
    });
  });
  svg.dataset.points = String(points);
  if (!points)
    svg.append(svgEl('text', {
      className: 'empty',
      text: t('chart.empty'),
      attrs: {
        x: MARGIN.left + g.plotWidth / 2,
        y: MARGIN.top + g.plotHeight / 2,
        'text-anchor': 'middle',
      },
    }));
  return el('figure', {className: 'chart'}, [
    svg,
    el('figcaption', {}, [el('span', {className: 'chart-title', text: title}), legend(series)]),
    dataTable(
      title,
      [t('table.run'), ...series.map((s) => s.name)],
      labels.map((label, i) => [label, ...series.map((s) => formatValue(s.values[i], unit))])),
  ]);
}

// A bar chart of counts: one bar per label.
export function barChart({title, labels, values, valueName}) {
  const g = geometry('large');
  const yMax = Math.max(1, ...values);
  const description = labels.map((l, i) => `${l}: ${values[i]}`).join('; ');
  const svg = chartSvg(g, 'bar-chart', title, description);
  const niceMax = yMax <= 4 ? 4 : Math.ceil(yMax / 4) * 4;
  yAxis(g, svg, niceMax, '');
  const slot = g.plotWidth / labels.length;
  labels.forEach((label, i) => {
    const x = MARGIN.left + slot * i;
    const y = yOf(g, values[i], niceMax);
    svg.append(
      svgEl(
        'rect',
        {
          className: 'bar',
          attrs: {x: x + slot * 0.12, y, width: slot * 0.76, height: MARGIN.top + g.plotHeight - y},
        },
        [svgEl('title', {text: `${label}: ${values[i]}`})]),
      svgEl('text', {
        className: 'tick',
        text: label,
        attrs: {x: x + slot / 2, y: g.height - MARGIN.bottom + 18, 'text-anchor': 'middle'},
      }));
    if (values[i] > 0)
      svg.append(svgEl('text', {
        className: 'bar-value',
        text: String(values[i]),
        attrs: {x: x + slot / 2, y: y - 4, 'text-anchor': 'middle'},
      }));
  });
  svg.dataset.points = String(values.filter((v) => v > 0).length);
  return el('figure', {className: 'chart'}, [
    svg,
    el('figcaption', {}, [el('span', {className: 'chart-title', text: title})]),
    dataTable(title, [t('table.range'), valueName], labels.map((l, i) => [l, String(values[i])])),
  ]);
}
