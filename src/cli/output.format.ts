/** Human-readable CLI output of the same JSON the HTTP API returns. */
import type { mapDetect, mapVerify } from '../http/v1/mappers/face.mapper.js';

type DetectJson = ReturnType<typeof mapDetect>;
type VerifyJson = ReturnType<typeof mapVerify>;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function attributeText(a: Record<string, unknown> | undefined): string {
  if (!a) return '';
  const parts: string[] = [];
  if (typeof a.age === 'number') parts.push(`age ${Math.round(a.age)}`);
  const g = a.gender as { label: string; confidence: number } | undefined;
  if (g) parts.push(`${g.label} ${(g.confidence * 100).toFixed(0)}%`);
  const e = a.emotion as { dominant: string } | undefined;
  if (e) parts.push(e.dominant);
  const q = a.quality as { score: number } | undefined;
  if (q) parts.push(`quality ${q.score.toFixed(2)}`);
  const eyes = a.eyes as { left: string; right: string } | undefined;
  if (eyes) parts.push(`eyes ${eyes.left}/${eyes.right}`);
  const l = a.liveness as { label: string } | undefined;
  if (l) parts.push(l.label);
  const c = a.clothing_colors as string[] | undefined;
  if (c?.length) parts.push(`clothes ${c.join('/')}`);
  return parts.join(', ');
}

export function formatDetectTable(source: string, r: DetectJson): string {
  const lines = [`${source}: ${r.image.width}x${r.image.height}, ${r.face_count} face${r.face_count === 1 ? '' : 's'}`];
  if (r.face_count > 0) {
    lines.push(`  ${pad('#', 3)}${pad('box (x1,y1,x2,y2)', 28)}${pad('score', 8)}${pad('yaw/pitch/roll', 20)}attributes`);
    r.faces.forEach((f, i) => {
      const box = `${f.box.x1},${f.box.y1},${f.box.x2},${f.box.y2}`;
      const pose = `${f.pose.yaw}/${f.pose.pitch}/${f.pose.roll}`;
      lines.push(`  ${pad(String(i + 1), 3)}${pad(box, 28)}${pad(f.score.toFixed(3), 8)}${pad(pose, 20)}${attributeText(f.attributes)}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

export function formatVerify(r: VerifyJson): string {
  const t = r.preset ? `${r.threshold} (${r.preset})` : String(r.threshold);
  return `${r.match ? 'MATCH' : 'NO MATCH'}: similarity ${r.similarity}, threshold ${t}, model ${r.model}\n`;
}
