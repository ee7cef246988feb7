// Drives the official tus-js-client (npm, Node) against reelvault, for TusJsClientTest:
// 1. uploads FILE with checksum headers on every PATCH, aborted at INTERRUPTS random offsets and resumed each time
//    through the client's own fingerprint store (findPreviousUploads / resumeFromPreviousUpload);
// 2. starts a second upload, sends part of it, terminates it (abort(true): DELETE) and HEADs it.
// Prints one JSON line with what happened. Environment: ENDPOINT, TOKEN, FILE, METADATA (JSON), INTERRUPTS, SEED,
// CHUNK_SIZE.
import * as tus from 'tus-js-client'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

const endpoint = process.env.ENDPOINT
const token = process.env.TOKEN
const data = readFileSync(process.env.FILE)
const metadata = JSON.parse(process.env.METADATA)
const interruptCount = Number(process.env.INTERRUPTS ?? '3')
const chunkSize = Number(process.env.CHUNK_SIZE ?? String(4 * 1024 * 1024))

// a small seeded generator, so that a failing run can be repeated with its SEED
let seed = Number(process.env.SEED ?? Date.now()) >>> 0
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0
  return seed / 2 ** 32
}
const interrupts = Array.from({ length: interruptCount }, () => Math.floor(random() * data.length * 0.9) + 1)
  .sort((a, b) => a - b)

// the client's fingerprint store, in memory (Node's default stores nothing)
const stored = new Map()
const urlStorage = {
  findAllUploads: async () => [...stored.values()],
  findUploadsByFingerprint: async (fp) => [...stored.values()].filter((u) => u.fingerprint === fp),
  removeUpload: async (key) => { stored.delete(key) },
  addUpload: async (fp, upload) => {
    const key = `tus::${fp}::${stored.size}`
    stored.set(key, { ...upload, fingerprint: fp, urlStorageKey: key })
    return key
  },
}

const stats = { patches: 0, checksummed: 0, resumes: 0, aborts: 0, statuses: {}, resumedFrom: [] }

function options (source, extra) {
  return {
    endpoint,
    headers: { Authorization: `Bearer ${token}` },
    metadata,
    chunkSize,
    retryDelays: [0, 200, 500, 1000, 2000, 4000],
    urlStorage,
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    fingerprint: async () => `reelvault-${data.length}-${metadata.filename}`,
    // tus-js-client has no checksum option: the PATCH's chunk is the source's bytes from its Upload-Offset on
    onBeforeRequest (req) {
      if (req.getMethod() !== 'PATCH') return
      const offset = Number(req.getHeader('Upload-Offset'))
      const chunk = source.subarray(offset, Math.min(offset + chunkSize, source.length))
      req.setHeader('Upload-Checksum', 'sha256 ' + createHash('sha256').update(chunk).digest('base64'))
      stats.patches++
      stats.checksummed++
    },
    onAfterResponse (req, res) {
      const key = `${req.getMethod()} ${res.getStatus()}`
      stats.statuses[key] = (stats.statuses[key] ?? 0) + 1
    },
    ...extra,
  }
}

// one run of the client until it finishes or is aborted at the next interrupt offset
function run (stopAt) {
  return new Promise((resolve, reject) => {
    let upload
    let stopping = false
    const opts = options(data, {
      onProgress (sent) {
        if (stopAt !== undefined && sent >= stopAt && !stopping) {
          stopping = true
          upload.abort(false).then(() => resolve({ aborted: true, url: upload.url }), reject)
        }
      },
      onSuccess () { resolve({ aborted: false, url: upload.url }) },
      onError: reject,
    })
    upload = new tus.Upload(data, opts)
    upload.findPreviousUploads().then((previous) => {
      if (previous.length > 0) {
        upload.resumeFromPreviousUpload(previous[0])
        stats.resumes++
      }
      upload.start()
    }, reject)
  })
}

async function head (url) {
  const res = await fetch(url, { method: 'HEAD', headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' } })
  return { status: res.status, offset: res.headers.get('upload-offset') }
}

let url
for (const at of interrupts) {
  const result = await run(at)
  if (!result.aborted) break // a chunk larger than the gap between two interrupts: finished first
  stats.aborts++
  url = result.url
  stats.resumedFrom.push((await head(url)).offset)
}
const finished = await run(undefined)
url = finished.url
const done = await head(url)

// termination: part of a second upload, then abort(true) sends DELETE
const second = data.subarray(0, Math.min(data.length, 3 * chunkSize))
const terminatedUrl = await new Promise((resolve, reject) => {
  let stopping = false
  const upload = new tus.Upload(second, {
    ...options(second, {}),
    fingerprint: async () => 'reelvault-terminated',
    onProgress (sent) {
      if (sent >= chunkSize && !stopping) {
        stopping = true
        upload.abort(true).then(() => resolve(upload.url), reject)
      }
    },
    onSuccess () { reject(new Error('the upload to terminate finished first')) },
    onError: reject,
  })
  upload.start()
})
const terminated = await head(terminatedUrl)

console.log(JSON.stringify({
  url,
  interrupts,
  final_offset: done.offset,
  final_status: done.status,
  terminated_status: terminated.status,
  ...stats,
}))
