// Compare: two photos through /v1/templates, then /v1/verify of the two templates at each preset,
// and where the similarity falls on the eval's measured impostor and genuine figures.
import { LFW, impostorFraction } from '../accuracy-figures.js';
import { api, attempt, dropZone, fmt, h, mount, origin } from '../ui.js';

const PRESETS = ['strict', 'medium', 'low'];

export function comparePage(el) {
  const files = { a: null, b: null };
  const previews = { a: h('div', { class: 'preview' }), b: h('div', { class: 'preview' }) };
  const err = h('div');
  const out = h('div', { id: 'compare-result', 'aria-live': 'polite' });
  const pick = (side) => ([f]) => {
    files[side] = f;
    mount(previews[side], h('img', { src: URL.createObjectURL(f), alt: `Photo ${side.toUpperCase()}` }));
  };
  const go = h(
    'button',
    {
      type: 'button',
      id: 'compare-go',
      onclick: async () => {
        if (!files.a || !files.b) return mount(err, h('div', { class: 'error', role: 'alert' }, 'Choose two photos first.'));
        mount(out, h('p', { class: 'muted' }, 'Comparing…'));
        const r = await attempt(err, () => compare(files.a, files.b));
        mount(out, r ? result(r, files) : null);
      },
    },
    'Compare',
  );
  mount(
    el,
    h('h1', {}, 'Compare two photos'),
    h(
      'div',
      { class: 'pair' },
      h('div', {}, dropZone({ label: 'Photo A', id: 'compare-a', onFiles: pick('a') }), previews.a),
      h('div', {}, dropZone({ label: 'Photo B', id: 'compare-b', onFiles: pick('b') }), previews.b),
    ),
    go,
    err,
    out,
  );
}

async function templateOf(file, side) {
  const f = new FormData();
  f.append('image', file, file.name);
  const r = await api('POST', '/v1/templates', { form: f });
  if (!r.faces.length) throw Object.assign(new Error(`No face found in photo ${side}`), {});
  const area = (b) => (b.x2 - b.x1) * (b.y2 - b.y1);
  return r.faces.reduce((x, y) => (area(y.box) > area(x.box) ? y : x));
}

async function compare(a, b) {
  const [ta, tb] = await Promise.all([templateOf(a, 'A'), templateOf(b, 'B')]);
  const decisions = await Promise.all(PRESETS.map((threshold) => api('POST', '/v1/verify', { json: { template_a: ta.template, template_b: tb.template, threshold } })));
  return { similarity: decisions[0].similarity, decisions: PRESETS.map((p, i) => ({ preset: p, ...decisions[i] })) };
}

/**
 * The API's similarity is a monotonic map of the cosine, (tanh((cos − c0)·c1) + 1) / 2; the eval's
 * figures are in cosine. The presets' similarity thresholds (from /v1/verify) and their cosines
 * (docs/accuracy.md) fix c0 and c1, so a similarity can be placed on the measured cosine figures.
 */
function toCosine(decisions) {
  const cos = { strict: LFW.impostorAt[2].cosine, medium: LFW.impostorAt[1].cosine, low: LFW.impostorAt[0].cosine };
  const z = (sim) => Math.atanh(Math.min(0.999999, Math.max(-0.999999, 2 * sim - 1)));
  const s = decisions.find((d) => d.preset === 'strict');
  const l = decisions.find((d) => d.preset === 'low');
  const c1 = (z(s.threshold) - z(l.threshold)) / (cos.strict - cos.low);
  const c0 = cos.strict - z(s.threshold) / c1;
  return (sim) => c0 + z(sim) / c1;
}

function result(r, files) {
  const medium = r.decisions.find((d) => d.preset === 'medium');
  const cosOf = toCosine(r.decisions);
  const far = impostorFraction(cosOf(r.similarity));
  return h(
    'section',
    {},
    h('h2', {}, 'Similarity ', h('span', { id: 'similarity' }, fmt(r.similarity, 4))),
    h('p', { id: 'verdict', class: medium.match ? 'ok' : 'no' }, medium.match ? 'Same person (match at the default preset, medium)' : 'Not the same person (no match at the default preset, medium)'),
    h(
      'table',
      {},
      h('caption', {}, 'Decision at each preset'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'preset'), h('th', { scope: 'col' }, 'threshold'), h('th', { scope: 'col' }, 'decision'))),
      h('tbody', {}, r.decisions.map((d) => h('tr', { 'data-preset': d.preset }, h('th', { scope: 'row' }, d.preset), h('td', {}, fmt(d.threshold, 4)), h('td', {}, d.match ? 'match' : 'no match')))),
    ),
    h(
      'p',
      {},
      `On the eval’s ${LFW.impostorPairs.toLocaleString('en')} different-person LFW pairs, about ${far < 1e-6 ? 'fewer than 1 in a million' : `${(far * 100).toPrecision(2)} %`} score ${fmt(r.similarity, 3)} or more; `,
      `${(LFW.genuineAt[0].tar * 100).toFixed(1)} % of same-person LFW pairs score at least the medium threshold (${fmt(medium.threshold, 3)}).`,
    ),
    distributionChart(r.similarity, r.decisions, cosOf),
    h('h3', {}, 'The same with curl'),
    h(
      'pre',
      { class: 'curl' },
      `curl -s -H "x-api-key: $KEY" -F image_a=@${files.a.name} -F image_b=@${files.b.name} '${origin()}/v1/verify?threshold=medium'`,
    ),
  );
}

/** log10 of the impostor fraction above each similarity, the presets, and this pair. */
function distributionChart(s, decisions, cosOf) {
  const W = 480, H = 200, L = 44, B = 28, T = 10;
  const x = (v) => L + v * (W - L - 10);
  const y = (lg) => T + (-lg / 7) * (H - T - B); // 1 … 1e-7
  const pts = [];
  for (let v = 0.002; v <= 0.999; v += 0.004) pts.push(`${x(v).toFixed(1)},${y(Math.max(-7, Math.log10(impostorFraction(cosOf(v))))).toFixed(1)}`);
  return h(
    'figure',
    {},
    h(
      'svg',
      { class: 'chart dist', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Impostor score tail with this pair at ${s.toFixed(3)}` },
      [0, -1, -2, -3, -4, -5, -6, -7].map((lg) => h('g', {}, h('line', { x1: L, x2: W - 10, y1: y(lg), y2: y(lg), class: 'grid' }), h('text', { x: 2, y: y(lg) + 4, class: 'chart-label' }, `1e${lg}`))),
      [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => h('text', { x: x(v) - 8, y: H - 8, class: 'chart-label' }, v.toFixed(1))),
      h('polyline', { points: pts.join(' '), class: 'curve' }),
      decisions.map((d) => h('g', {}, h('line', { x1: x(d.threshold), x2: x(d.threshold), y1: T, y2: H - B, class: 'preset' }), h('text', { x: x(d.threshold) + 2, y: T + 10, class: 'chart-label' }, d.preset))),
      h('line', { x1: x(Math.max(0, s)), x2: x(Math.max(0, s)), y1: T, y2: H - B, class: 'pair-line' }),
      h('text', { x: Math.min(x(Math.max(0, s)) + 3, W - 60), y: H - B - 6, class: 'chart-label strong' }, 'this pair'),
    ),
    h('figcaption', { class: 'muted' }, 'x: similarity; y: share of different-person LFW pairs scoring at least x (log scale, from the measured impostor tail in docs/accuracy.md). Dashed: the presets; green: this pair. 98.5 % of same-person pairs lie right of medium.'),
  );
}
