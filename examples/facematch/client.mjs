#!/usr/bin/env node
// A small Face.Match.Expert client of our own (Node 20, no dependencies), run against Visage:
//   FM_URL=http://localhost:8080/facematch/v1 FM_AUTH=LOGIN:PASSWORD node client.mjs <command> …
// Commands:
//   detect <photo>                         faces with faceData, crop size and five points
//   add <collection> <photo>...            adds photos (id = file name); a large add is a job: waits for it
//   search <collection> <photo>            matches of the photo's largest face, best first
//   search-data <collection> <faceData>    the same with a faceData from detect
//   compare <photo1> <photo2>              one similarity
//   delete <collection> <id>               removes one image
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const base = process.env.FM_URL ?? 'http://localhost:8080/facematch/v1';
const auth = process.env.FM_AUTH;
if (!auth) throw new Error('set FM_AUTH=LOGIN:PASSWORD (a Visage login key: visage keys create --login …)');
const b64 = (file) => readFileSync(file).toString('base64');

async function call(method, path, body) {
  const res = await fetch(base + path, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${res.status} ${json.error}: ${json.message}`);
  return json;
}

const [cmd, ...args] = process.argv.slice(2);
const out = (v) => console.log(JSON.stringify(v, null, 2));
switch (cmd) {
  case 'detect': {
    const r = await call('POST', '/detect', { image: b64(args[0]) });
    out(r.faces.map((f) => ({ faceData: f.faceData, cropBytes: Buffer.from(f.faceImage, 'base64').length, leftEye: f.leftEye, rightEye: f.rightEye, nose: f.nose, leftMouth: f.leftMouth, rightMouth: f.rightMouth, box: f.box })));
    break;
  }
  case 'add': {
    const [collection, ...files] = args;
    let r = await call('POST', `/collection/${collection}/add`, files.map((f) => ({ id: basename(f), image: b64(f) })));
    while (r.status === 'queued' || r.status === 'running') {
      console.error(`job ${r.jobId}: ${r.status}, ${r.progress} %`);
      await new Promise((res) => setTimeout(res, 1000));
      r = await call('GET', `/collection/${collection}/add/${r.jobId}`);
    }
    out(r);
    break;
  }
  case 'search':
    out(await call('POST', `/collection/${args[0]}/search/image`, { image: b64(args[1]) }));
    break;
  case 'search-data':
    out(await call('POST', `/collection/${args[0]}/search/face-data`, { faceData: args[1] }));
    break;
  case 'compare':
    out(await call('POST', '/compare/image', { image1: b64(args[0]), image2: b64(args[1]) }));
    break;
  case 'delete':
    out(await call('DELETE', `/collection/${args[0]}/delete`, { id: args[1] }));
    break;
  default:
    console.error('commands: detect, add, search, search-data, compare, delete (see the top of this file)');
    process.exit(2);
}
