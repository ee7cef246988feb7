// The real Uppy (vendored uppy 6.0.1: @uppy/core + @uppy/aws-s3 6.1.0) uploading to reelvault's direct multipart API,
// as functions the browser tests call (Chromium.call). Uppy cuts the file, PUTs the parts to the signed URLs (its own
// XHRs, with its own retries and progress) and resumes, completes or aborts; reelvault's API starts, signs, lists,
// completes and aborts.
//
// @uppy/aws-s3 6 dropped the createMultipartUpload/signPart/listParts/completeMultipartUpload/abortMultipartUpload
// options of earlier versions: it has three signing modes only (getCredentials, signRequest speaking S3's own XML
// protocol, companionEndpoint speaking Companion's JSON protocol). Those five functions are here all the same
// (`reelvault` below): they are Companion's five multipart calls, answered in the page by calling reelvault's API with
// the bearer token. `companionEndpoint` names a path of the page's origin that never reaches the network: the page's
// fetch answers it (Uppy calls the global fetch for Companion, without credentials, so it cannot carry the token).
(function () {
  'use strict';

  const ADAPTER = location.origin + '/reelvault-uppy';
  const networkFetch = window.fetch.bind(window);
  // the upload under way: api, token, part size, and what happened
  let current = null;

  function show(id, text) {
    document.getElementById(id).textContent = text;
  }

  function log(line) {
    document.getElementById('log').textContent += line + '\n';
  }

  // size bytes: the PNG signature, then xorshift32 words from seed (a PNG as far as magic bytes go)
  function fileBytes(size, seed) {
    const bytes = new Uint8Array(size);
    const words = new Uint32Array(bytes.buffer, 0, Math.floor(size / 4));
    let x = seed | 0 || 1;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
    }
    for (let i = words.length * 4; i < size; i++) {
      bytes[i] = i & 0xff;
    }
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
    return bytes;
  }

  async function sha256(bytes) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, b => b.toString(16).padStart(2, '0')).join('');
  }

  // one call of reelvault's API; a refusal throws with its problem+json (kept in current.problems)
  async function api(method, path, body, signal) {
    const headers = {'Authorization': 'Bearer ' + current.token};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const r = await networkFetch(current.api + path, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
    current.calls.push({method, path, status: r.status});
    const text = await r.text();
    const json = text ? JSON.parse(text) : null;
    if (!r.ok) {
      const problem = json || {status: r.status};
      current.problems.push(problem);
      show('problem', problem.detail || ('HTTP ' + r.status));
      const error = new Error(method + ' ' + path + ': ' + r.status + ' ' + (problem.code || ''));
      error.status = r.status;
      error.problem = problem;
      throw error;
    }
    return json;
  }

  const uploads = '/api/v1/uploads/';

  // the five multipart functions, on reelvault's API; Uppy's key is the upload id (the API hands out no storage keys)
  const reelvault = {
    // {filename, type, metadata} -> {uploadId, key}; the size comes in Uppy's metadata, the part size is Uppy's chunk
    async createMultipartUpload({filename, type, metadata}, signal) {
      const started = await api('POST', uploads + 'multipart', {
        filename, content_type: type, size_bytes: Number(metadata.size_bytes), part_size: current.partSize,
      }, signal);
      current.uploadId = started.upload_id;
      current.started = started;
      current.signed = new Map();
      log('started ' + started.upload_id + ': ' + started.part_count + ' parts of ' + started.part_size);
      return {uploadId: started.upload_id, key: started.upload_id};
    },

    // -> {url, headers}: signs up to 100 parts in one call and keeps them until half their life is over
    async signPart(uploadId, partNumber, signal) {
      const cached = current.signed.get(partNumber);
      if (cached && cached.until > Date.now()) {
        return {url: cached.url, headers: cached.headers};
      }
      const last = Math.min(current.started.part_count, partNumber + 99);
      const numbers = [];
      for (let n = partNumber; n <= last; n++) {
        numbers.push(n);
      }
      const signed = await api('POST', uploads + uploadId + '/multipart/parts', {part_numbers: numbers}, signal);
      for (const part of signed.parts) {
        current.signed.set(part.part_number, {
          url: part.url, headers: part.headers || {}, until: Date.now() + part.expires_in * 500,
        });
      }
      current.signings++;
      const part = current.signed.get(partNumber);
      if (Object.keys(part.headers).length > 0) {
        // Uppy 6 PUTs a part with no header of ours (Companion mode takes only the URL): say so instead of a 403
        throw new Error('part ' + partNumber + ' needs headers Uppy does not send: ' + Object.keys(part.headers));
      }
      return {url: part.url, headers: part.headers};
    },

    // -> [{PartNumber, Size, ETag}], every page of the listing
    async listParts(uploadId, signal) {
      const parts = [];
      let after = 0;
      do {
        const page = await api('GET', uploads + uploadId + '/multipart/parts?after=' + after, undefined, signal);
        for (const p of page.parts) {
          parts.push({PartNumber: p.part_number, Size: p.size_bytes, ETag: p.etag});
        }
        after = page.next_after;
      } while (after !== null && after !== undefined);
      return parts;
    },

    // [{PartNumber, ETag}] -> {location, key}
    async completeMultipartUpload(uploadId, parts, signal) {
      const done = await api('POST', uploads + uploadId + '/multipart/complete', {
        parts: parts.map(p => ({part_number: p.PartNumber, etag: p.ETag})),
      }, signal);
      current.metadata = done;
      return {location: current.api + uploads + uploadId, key: uploadId};
    },

    async abortMultipartUpload(uploadId, signal) {
      await api('DELETE', uploads + uploadId + '/multipart', undefined, signal);
      log('aborted ' + uploadId);
      return {};
    },
  };

  function answer(status, body) {
    return new Response(JSON.stringify(body), {status, headers: {'Content-Type': 'application/json'}});
  }

  // Companion's multipart routes (what @uppy/aws-s3 6's companionEndpoint mode calls) -> the five functions
  async function companion(url, init) {
    const method = (init && init.method) || 'GET';
    const signal = init && init.signal;
    const body = init && init.body ? JSON.parse(init.body) : undefined;
    const path = url.pathname.substring(ADAPTER.length - location.origin.length);
    const key = url.searchParams.get('key');
    let m;
    if (path === '/s3/multipart' && method === 'POST') {
      return answer(200, await reelvault.createMultipartUpload(body, signal));
    }
    if ((m = /^\/s3\/multipart\/([^/]+)\/(\d+)$/.exec(path)) && method === 'GET') {
      checkKey(m[1], key);
      return answer(200, await reelvault.signPart(decodeURIComponent(m[1]), Number(m[2]), signal));
    }
    if ((m = /^\/s3\/multipart\/([^/]+)\/complete$/.exec(path)) && method === 'POST') {
      checkKey(m[1], key);
      return answer(200, await reelvault.completeMultipartUpload(decodeURIComponent(m[1]), body.parts, signal));
    }
    if ((m = /^\/s3\/multipart\/([^/]+)$/.exec(path)) && method === 'GET') {
      checkKey(m[1], key);
      return answer(200, await reelvault.listParts(decodeURIComponent(m[1]), signal));
    }
    if ((m = /^\/s3\/multipart\/([^/]+)$/.exec(path)) && method === 'DELETE') {
      checkKey(m[1], key);
      current.abort = reelvault.abortMultipartUpload(decodeURIComponent(m[1]), signal);
      return answer(200, await current.abort);
    }
    return answer(404, {error: 'no such route in the page: ' + method + ' ' + path});
  }

  function checkKey(id, key) {
    if (decodeURIComponent(id) !== key) {
      throw new Error('the key Uppy sent is not the upload id: ' + key);
    }
  }

  window.fetch = function (input, init) {
    const url = new URL(typeof input === 'string' ? input : input.url, location.href);
    if (url.href.startsWith(ADAPTER + '/')) {
      // a refusal becomes a status Uppy sees as a failed Companion call (its message carries the statusText)
      return companion(url, init).catch(e => {
        if (e && e.name === 'AbortError') {
          throw e;
        }
        current.errors.push(String(e));
        return new Response(JSON.stringify({error: String(e)}), {
          status: e.status || 500, statusText: 'reelvault ' + ((e.problem && e.problem.code) || 'error'),
        });
      });
    }
    return networkFetch(input, init);
  };

  // every XHR the page makes (Uppy's part PUTs): method, URL and how it ended, to count the attempts per part
  const xhrs = [];
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    const record = {method, url: String(url), status: null, error: false};
    xhrs.push(record);
    this.addEventListener('load', () => { record.status = this.status; });
    this.addEventListener('error', () => { record.error = true; });
    this.addEventListener('abort', () => { record.aborted = true; });
    return open.apply(this, arguments);
  };

  function partNumberOf(url) {
    const m = /[?&](?:partNumber|X-Part-Number)=(\d+)(?:&|$)/.exec(url);
    return m ? Number(m[1]) : null;
  }

  window.lab = {
    // Uppy uploads size bytes (a PNG) in parts of partSize; cancelAfterPart > 0: cancelAll once that part is stored
    async uppyUpload(api, token, size, partSize, cancelAfterPart) {
      show('status', 'preparing ' + size + ' bytes');
      show('problem', '');
      const bytes = fileBytes(size, 20261204);
      const expectedSha256 = await sha256(bytes);
      const file = new File([bytes], 'big.png', {type: 'image/png'});
      current = {
        api, token, partSize, calls: [], problems: [], errors: [], signings: 0, uploadId: null, abort: null,
      };
      xhrs.length = 0;
      const uppy = new Uppy.Uppy({id: 'reelvault-test', autoProceed: false});
      uppy.use(Uppy.AwsS3, {
        shouldUseMultipart: true,
        companionEndpoint: ADAPTER,
        // Uppy's chunks are the server's parts: the same size is sent as part_size
        getChunkSize: () => partSize,
      });
      const progress = [];
      const partsUploaded = [];
      const uppyErrors = [];
      let cancelled = false;
      uppy.on('upload-progress', (f, p) => {
        progress.push(p.bytesUploaded);
        document.getElementById('progress').value = p.bytesTotal ? p.bytesUploaded / p.bytesTotal : 0;
      });
      uppy.on('s3-multipart:part-uploaded', (f, part) => {
        partsUploaded.push({PartNumber: part.PartNumber, ETag: part.ETag});
        show('status', 'part ' + part.PartNumber + ' of ' + current.started.part_count);
        if (cancelAfterPart > 0 && part.PartNumber === cancelAfterPart && !cancelled) {
          cancelled = true;
          uppy.cancelAll();
        }
      });
      uppy.on('upload-error', (f, e) => uppyErrors.push(String(e && e.message || e)));
      uppy.addFile({name: 'big.png', type: 'image/png', data: file, meta: {size_bytes: String(size)}});
      show('status', 'uploading');
      const started = performance.now();
      let result;
      try {
        result = await uppy.upload();
      } catch (e) {
        uppyErrors.push('upload(): ' + String(e));
      }
      const seconds = (performance.now() - started) / 1000;
      if (current.abort) {
        try {
          await current.abort;
        } catch (e) {
          uppyErrors.push('abort: ' + String(e));
        }
      }
      const successful = result && result.successful ? result.successful.length : 0;
      const failed = result && result.failed ? result.failed.length : 0;
      show('status', cancelled ? 'cancelled' : successful === 1 ? 'uploaded big.png' : 'failed');
      let regressions = 0;
      for (let i = 1; i < progress.length; i++) {
        if (progress[i] < progress[i - 1]) {
          regressions++;
        }
      }
      const puts = xhrs.filter(x => x.method === 'PUT').map(x => ({
        part: partNumberOf(x.url), status: x.status, error: x.error, aborted: !!x.aborted,
      }));
      uppy.destroy();
      return {
        uploadId: current.uploadId,
        started: current.started,
        expectedSha256,
        size,
        seconds,
        successful,
        failed,
        cancelled,
        progressEvents: progress.length,
        lastProgress: progress.length ? progress[progress.length - 1] : null,
        maxProgress: progress.length ? Math.max(...progress) : null,
        progressRegressions: regressions,
        partsUploaded,
        puts,
        calls: current.calls,
        signings: current.signings,
        problems: current.problems,
        adapterErrors: current.errors,
        uppyErrors,
        metadata: current.metadata || null,
        status: document.getElementById('status').textContent,
      };
    },
  };
})();
