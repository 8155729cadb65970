// Analyse: one photo through POST /v1/detect with every attribute, boxed and numbered, with a
// card per face, what the filters dropped, the raw answer and the curl command that gives it.
import { api, attempt, dropZone, field, fmt, h, mount, origin, pct } from '../ui.js';

const QUERY = 'attributes=all&landmarks68=true';

export function analysePage(el) {
  const out = h('div', { id: 'analyse-result', 'aria-live': 'polite' });
  const err = h('div');
  const url = h('input', { type: 'url', id: 'analyse-url', placeholder: 'https://…/photo.jpg' });
  let marks = '5';

  const run = async (source) => {
    mount(out, h('p', { class: 'muted' }, 'Analysing…'));
    const answer = await attempt(err, () =>
      source.file ? api('POST', `/v1/detect?${QUERY}`, { form: form(source.file) }) : api('POST', `/v1/detect?${QUERY}`, { json: { url: source.url } }),
    );
    if (!answer) return mount(out);
    const photo = source.file ? URL.createObjectURL(source.file) : null;
    const draw = () => mount(out, result(answer, photo, source, marks, (m) => ((marks = m), draw())));
    draw();
  };

  mount(
    el,
    h('h1', {}, 'Analyse a photo'),
    h(
      'div',
      { class: 'row' },
      dropZone({ label: 'Choose a photo', id: 'analyse-file', onFiles: ([f]) => run({ file: f }) }),
      h(
        'form',
        {
          class: 'inline',
          onsubmit: (e) => {
            e.preventDefault();
            if (url.value) run({ url: url.value });
          },
        },
        field('…or a photo URL', url),
        h('button', { type: 'submit' }, 'Analyse URL'),
      ),
    ),
    h('p', { class: 'muted' }, 'You can also paste an image (Ctrl+V) anywhere on this page.'),
    err,
    out,
  );

  const onPaste = (e) => {
    const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (file) run({ file });
  };
  document.addEventListener('paste', onPaste);
  return () => document.removeEventListener('paste', onPaste);
}

function form(file) {
  const f = new FormData();
  f.append('image', file, file.name || 'pasted.png');
  return f;
}

function result(a, photo, source, marks, setMarks) {
  const { width, height } = a.image;
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 300));
  const svg = h(
    'svg',
    { class: 'overlay', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${a.face_count} faces found` },
    a.faces.map((f, i) => {
      const b = f.box;
      const pts = marks === '68' && f.landmarks68 ? f.landmarks68 : Object.values(f.landmarks);
      return h(
        'g',
        {},
        h('rect', { class: 'face-box', x: b.x1, y: b.y1, width: b.x2 - b.x1, height: b.y2 - b.y1, 'stroke-width': stroke }),
        h('text', { class: 'face-num', x: b.x1 + stroke, y: Math.max(b.y1 - stroke * 2, stroke * 8), 'font-size': stroke * 8 }, String(i + 1)),
        pts.map((p) => h('circle', { class: 'mark', cx: p.x, cy: p.y, r: stroke })),
      );
    }),
  );
  const stage = h('div', { class: 'stage' }, photo ? h('img', { src: photo, alt: 'The analysed photo' }) : h('div', { class: 'nophoto', style: { aspectRatio: `${width} / ${height}` } }, 'photo fetched by the server'), svg);
  const d = a.dropped ?? {};
  const droppedNote = [];
  if (d.min_face_size) droppedNote.push(`${d.min_face_size} face${d.min_face_size > 1 ? 's' : ''} narrower than min_face_size dropped by the size filter`);
  if (d.score_threshold) droppedNote.push(`${d.score_threshold} candidate${d.score_threshold > 1 ? 's' : ''} below the score threshold`);
  const curl = source.file
    ? `curl -s -H "x-api-key: $KEY" -F image=@${shellName(source.file.name || 'photo.png')} '${origin()}/v1/detect?${QUERY}'`
    : `curl -s -H "x-api-key: $KEY" -H 'content-type: application/json' -d '${JSON.stringify({ url: source.url })}' '${origin()}/v1/detect?${QUERY}'`;
  return h(
    'section',
    {},
    h('h2', { id: 'face-count' }, `${a.face_count} face${a.face_count === 1 ? '' : 's'}`),
    h(
      'fieldset',
      { class: 'inline' },
      h('legend', {}, 'Landmarks'),
      ['5', '68'].map((m) =>
        h('label', {}, h('input', { type: 'radio', name: 'marks', value: m, checked: marks === m, onchange: () => setMarks(m) }), ` ${m} points`),
      ),
    ),
    droppedNote.length ? h('p', { class: 'note', id: 'dropped' }, droppedNote.join('; '), '. They are counted in the answer’s dropped field, not drawn.') : null,
    h('div', { class: 'analyse' }, stage, h('div', { class: 'cards', tabindex: 0, role: 'region', 'aria-label': 'Face cards' }, a.faces.map((f, i) => faceCard(f, i)))),
    h('details', {}, h('summary', {}, 'Raw JSON'), h('pre', { class: 'json' }, JSON.stringify(a, null, 2))),
    h('h3', {}, 'The same with curl'),
    h('pre', { class: 'curl', id: 'curl' }, curl),
  );
}

const shellName = (n) => (/^[\w.-]+$/.test(n) ? n : `'${n.replace(/'/g, "'\\''")}'`);

function faceCard(f, i) {
  const a = f.attributes ?? {};
  const rows = [
    ['Detector score', fmt(f.score)],
    ['Age', a.age !== undefined ? Math.round(a.age) : '–'],
    ['Gender', a.gender ? `${a.gender.label} (${pct(a.gender.confidence)})` : '–'],
    ['Emotion', a.emotion ? `${a.emotion.dominant} (${pct(a.emotion.probabilities[a.emotion.dominant] ?? 0)}), mood ${Math.round(a.emotion.mood)}` : '–'],
    ['Pose', `yaw ${fmt(f.pose.yaw, 0)}°, pitch ${fmt(f.pose.pitch, 0)}°, roll ${fmt(f.pose.roll, 0)}°`],
    ['Quality', a.quality ? `${fmt(a.quality.score, 2)}${a.quality.reasons.length ? ` — ${a.quality.reasons.join(', ')}` : ' — no issues'}` : '–'],
    ['Eyes', a.eyes ? `left ${a.eyes.left}, right ${a.eyes.right}` : '–'],
    ['Liveness', a.liveness ? `${a.liveness.label} (${fmt(a.liveness.score, 2)})` : '–'],
  ];
  return h(
    'article',
    { class: 'card face-card' },
    h('h3', {}, `Face ${i + 1}`),
    h('dl', {}, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    a.clothing_colors?.length
      ? h('div', { class: 'swatches' }, h('span', {}, 'Clothing: '), a.clothing_colors.map((c) => h('span', { class: 'swatch', style: { background: c }, title: c }, h('span', { class: 'sr' }, c))), ` ${a.clothing_colors.join(', ')}`)
      : null,
  );
}
