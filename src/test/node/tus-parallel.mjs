// Drives the official tus-js-client (npm, Node) with parallelUploads against reelvault, for TusJsClientTest: FILE is
// split into PARALLEL partial uploads (Upload-Concat: partial) sent side by side, each PATCH with an Upload-Checksum
// (sha256 of its body); one PATCH fails before it is sent (an injected network failure) and the client retries it
// after a HEAD; then the client's final upload (Upload-Concat: final;...) joins the parts.
// Prints one JSON line with what happened. Environment: ENDPOINT, TOKEN, FILE, METADATA (JSON), PARALLEL, CHUNK_SIZE,
// FAIL_AT (which PATCH fails, counted from 1).
import * as tus from 'tus-js-client'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

const endpoint = process.env.ENDPOINT
const token = process.env.TOKEN
const data = readFileSync(process.env.FILE)
const metadata = JSON.parse(process.env.METADATA)
const parallel = Number(process.env.PARALLEL ?? '3')
const chunkSize = Number(process.env.CHUNK_SIZE ?? String(4 * 1024 * 1024))
const failAt = Number(process.env.FAIL_AT ?? '2')

const stats = { patches: 0, checksummed: 0, injected: 0, statuses: {}, partials: [] }

// the default HTTP stack, with a checksum on every PATCH body and one PATCH failed before it leaves
const base = new tus.DefaultHttpStack({})
const httpStack = {
  getName: () => 'reelvault-test',
  createRequest (method, url) {
    const req = base.createRequest(method, url)
    if (method !== 'PATCH') return req
    const send = req.send.bind(req)
    req.send = (body) => {
      stats.patches++
      if (stats.patches === failAt) {
        stats.injected++
        return Promise.reject(new Error('injected network failure'))
      }
      req.setHeader('Upload-Checksum', 'sha256 ' + createHash('sha256').update(body).digest('base64'))
      stats.checksummed++
      return send(body)
    }
    return req
  },
}

const url = await new Promise((resolve, reject) => {
  const upload = new tus.Upload(data, {
    endpoint,
    headers: { Authorization: `Bearer ${token}` },
    metadata,
    chunkSize,
    parallelUploads: parallel,
    retryDelays: [0, 200, 500, 1000],
    httpStack,
    onAfterResponse (req, res) {
      const key = `${req.getMethod()} ${res.getStatus()}`
      stats.statuses[key] = (stats.statuses[key] ?? 0) + 1
      if (req.getMethod() === 'POST' && req.getHeader('Upload-Concat') === 'partial') {
        stats.partials.push(res.getHeader('Location'))
      }
    },
    onSuccess () { resolve(upload.url) },
    onError: reject,
  })
  upload.start()
})

async function head (u) {
  const res = await fetch(new URL(u, endpoint), {
    method: 'HEAD', headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' },
  })
  return { status: res.status, offset: res.headers.get('upload-offset'), concat: res.headers.get('upload-concat') }
}

const done = await head(url)
const partials = await Promise.all(stats.partials.map(head))
console.log(JSON.stringify({
  url,
  final_status: done.status,
  final_offset: done.offset,
  final_concat: done.concat,
  partial_statuses: partials.map((p) => p.status),
  ...stats,
}))
