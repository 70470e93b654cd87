// The --html report's generator: what goes into the page (escaped settings, the JSON block with
// the spectrum on 1/(1-p) and one timeline point per interval) and that it needs nothing online.
import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../../src/report/html-escape.js';
import { formatHtml, htmlData, maskHeader, type HtmlData } from '../../src/report/html.js';
import { maskUrl } from '../../src/common/url-display.js';
import { percentileLabel, spectrumData, spectrumX } from '../../src/report/spectrum-data.js';
import { timelineData } from '../../src/report/timeline-data.js';
import { latencyFigures, type Interval } from '../../src/result/series.js';
import { bucketsToHistogram } from '../../src/result/histogram.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

const HOSTILE = '</script><script>alert(1)</script><!--';

function interval(second: number, overrides: Partial<Interval> = {}): Interval {
  return {
    startNs: second * 1e9,
    endNs: (second + 1) * 1e9,
    due: 1000,
    sent: 1000,
    completed: 1000,
    errors: 0,
    status: { '200': 990, '503': 10 },
    ...latencyFigures(bucketsToHistogram(Float64Array.from([1_000_000, 990, 50_000_000, 10]))),
    ...overrides,
  };
}

/** The page's JSON block, parsed as the page's script parses it. */
function dataBlock(html: string): HtmlData {
  const match = /<script type="application\/json" id="ratetest-data">([^<]*)<\/script>/.exec(html);
  expect(match, 'JSON block').not.toBeNull();
  return JSON.parse(match![1]!) as HtmlData;
}

describe('escaping', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('keeps "</script>" and "<!--" out of a JSON script block, and the value intact', () => {
    const text = jsonForScript({ header: HOSTILE });
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual({ header: HOSTILE });
  });

  it('masks credentials: a URL password and Authorization/Cookie header values', () => {
    expect(maskUrl('http://user:pw@127.0.0.1:8080/x')).toBe('http://user:***@127.0.0.1:8080/x');
    expect(maskUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
    expect(maskHeader('Authorization: Bearer abc')).toBe('Authorization: ***');
    expect(maskHeader('cookie: a=b')).toBe('cookie: ***');
    expect(maskHeader('X-Trace: abc')).toBe('X-Trace: abc');
  });
});

describe('spectrum data', () => {
  it('puts x at 1/(1-p), 20 points a decade, whole decades exact, ending at the request count', () => {
    const x = spectrumX(1500);
    expect(x[0]).toBe(1);
    expect(x[20]).toBe(10);
    expect(x[40]).toBe(100);
    expect(x[60]).toBe(1000);
    expect(x.at(-1)).toBe(1500);
    for (let i = 1; i < x.length; i++) expect(x[i]!).toBeGreaterThan(x[i - 1]!);
    expect(spectrumX(0)).toEqual([]);
  });

  it('gives each curve the latency at p = 1 - 1/x, null past its own count', () => {
    // 900 requests at 1 ms, 90 at 2 ms, 10 at 10 ms: p99 (x = 100) falls in the 2 ms bucket.
    const corrected = histogramOf([[1_000_000, 900], [2_000_000, 90], [10_000_000, 10]]);
    const uncorrected = histogramOf([[500_000, 100]]);
    const data = spectrumData(corrected, uncorrected);
    expect(data.x.at(-1)).toBe(1000);
    const at = (x: number) => data.x.indexOf(x);
    expect(data.corrected[at(1)]).toBeCloseTo(1, 2); // p0
    expect(data.corrected[at(10)]).toBeCloseTo(1, 2); // p90
    expect(data.corrected[at(100)]).toBeCloseTo(2, 2); // p99
    expect(data.corrected[at(1000)]).toBeCloseTo(10, 1); // p99.9
    for (let i = 0; i < data.x.length; i++) {
      const p = 100 * (1 - 1 / data.x[i]!);
      expect(data.corrected[i]).toBe(corrected.getValueAtPercentile(p) / 1e6);
    }
    // The uncorrected histogram holds 100 requests: no points beyond x = 100.
    expect(data.uncorrected.filter((v) => v !== null)).toHaveLength(at(100) + 1);
    expect(data.uncorrected[at(100) + 1]).toBeNull();
    expect(data.ticks).toEqual([{ x: 1, label: '0%' }, { x: 10, label: '90%' }, { x: 100, label: '99%' }, { x: 1000, label: '99.9%' }]);
  });

  it('labels x as HdrHistogram\'s plotter does', () => {
    expect([1, 10, 100, 1000, 1e4, 1e5].map(percentileLabel)).toEqual(['0%', '90%', '99%', '99.9%', '99.99%', '99.999%']);
    expect(percentileLabel(2)).toBe('50%');
    expect(percentileLabel(31.6227766017)).toBe('96.84%');
  });
});

describe('timeline data', () => {
  it('has one point per interval: p50/p99/max in ms, counts per second, a series per status code', () => {
    const data = timelineData([interval(0), interval(1, { completed: 0, status: {}, ...latencyFigures(bucketsToHistogram(new Float64Array())), errors: 7 })]);
    expect(data.t).toEqual([1, 2]);
    expect(data.p50[0]).toBeCloseTo(1, 2);
    expect(data.p99[0]).toBeCloseTo(1, 2);
    expect(data.max[0]).toBeCloseTo(50, 0);
    // A second with no response is a gap, not a zero latency.
    expect([data.p50[1], data.p99[1], data.max[1]]).toEqual([null, null, null]);
    expect(data.completed).toEqual([1000, 0]);
    expect(data.errors).toEqual([0, 7]);
    expect(data.status).toEqual({ '200': [990, 0], '503': [10, 0] });
  });

  it('counts a short last interval over a full second rather than spiking', () => {
    const tail = interval(2, { endNs: 2.01e9, due: 0, sent: 0, completed: 3, status: { '200': 3 } });
    tail.startNs = 2e9;
    const data = timelineData([interval(0), interval(1), tail]);
    expect(data.completed).toEqual([1000, 1000, 3]);
    // A 2 s interval is halved.
    expect(timelineData([interval(0, { endNs: 2e9 })]).due).toEqual([500]);
  });
});

describe('formatHtml', () => {
  const intervals = [interval(0), interval(1), interval(2)];
  const result = syntheticResult({
    config: { ...syntheticResult().config, url: `http://user:secret@127.0.0.1:8080/a?q=${encodeURIComponent(HOSTILE)}` },
    intervals,
  });
  const html = formatHtml(result, { headers: [`X-Note: ${HOSTILE}`, 'Authorization: Bearer topsecret'] });

  it('carries every interval and both spectrum curves in its JSON block', () => {
    const data = dataBlock(html);
    expect(data).toEqual(JSON.parse(JSON.stringify(htmlData(result))));
    expect(data.timeline.t).toHaveLength(intervals.length);
    expect(data.timeline.completed).toEqual([1000, 1000, 1000]);
    expect(data.spectrum.x.at(-1)).toBe(10_000);
    expect(data.spectrum.corrected.every((v) => v !== null)).toBe(true);
    expect(data.spectrum.uncorrected.filter((v) => v !== null)).toHaveLength(data.spectrum.x.length);
  });

  it('escapes user content: one </script> (its own JSON block\'s), no injected tag, credentials masked', () => {
    // The hostile header and URL never open or close a tag: the only <script> elements are the page's four (data, uPlot, heatmap, charts).
    expect(html.match(/<script/g)).toHaveLength(4);
    expect(html.match(/<\/script>/g)).toHaveLength(4);
    expect(html).toContain('X-Note: &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--');
    expect(html).not.toContain('secret');
    expect(html).toContain('<th>header</th><td>Authorization: ***</td>');
    expect(html).toMatch(/<title>ratetest http:\/\/user:\*\*\*@127\.0\.0\.1:8080\/a\?q=[^<]*<\/title>/);
  });

  it('is self-contained: uPlot inlined, nothing loaded from elsewhere', () => {
    expect(html).toContain('var uPlot=');
    expect(html).toContain('.uplot');
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import/i);
  });

  it('shows the headline figures and settings', () => {
    expect(html).toContain('1000.00/s (100.00% of 1000/s requested)');
    expect(html).toContain('<th>status codes</th><td>200: 10000</td>');
    expect(html).toContain('<th>rate</th><td>1000/s</td>');
    expect(html).toContain('<th>connections</th><td>10</td>');
    expect(html).toContain('<th>duration</th><td>10s</td>');
  });

  it('draws no timeline without intervals (a Result built without a run)', () => {
    const data = dataBlock(formatHtml(syntheticResult()));
    expect(data.timeline.t).toEqual([]);
    expect(data.spectrum.x.length).toBeGreaterThan(0);
  });
});
