// The browser tests' page for the real Uppy (vendored uppy 6.0.1: @uppy/core + @uppy/tus, tus-js-client 4) uploading
// to reelvault's /api/v1/tus/, as functions the tests call (Chromium.call).
(function () {
  'use strict';

  function show(id, text) {
    document.getElementById(id).textContent = text;
  }

  // one row per tus request the page made, as the client saw it (shown in the screenshot)
  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.appendChild(td);
    }
    document.querySelector('#requests tbody').appendChild(tr);
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

  window.lab = {
    // Uppy (Core + Tus) uploads size bytes (a PNG named big.png) to api's /api/v1/tus/ in chunks of chunkSize, with
    // the bearer token in `headers` and metadata filename/filetype/target=upload; more: further options of Uppy's Tus
    // (e.g. retryDelays, overridePatchMethod, addRequestId) and meta: the file's metadata instead. Answers what Uppy and tus-js-client reported: the tus requests with
    // their answers, retries, progress.
    async tusUpload(api, token, size, chunkSize, more) {
      show('status', 'preparing ' + size + ' bytes');
      show('problem', '');
      const bytes = fileBytes(size, 20261205);
      const expectedSha256 = await sha256(bytes);
      const file = new File([bytes], 'big.png', {type: 'image/png'});
      const requests = []; // {method, offset (Upload-Offset sent), status, answeredOffset, resource, error}
      const retries = [];
      const progress = [];
      const uppyErrors = [];
      let uploadUrl = null;
      const uppy = new Uppy.Uppy({id: 'reelvault-tus-test', autoProceed: false});
      const options = {
        endpoint: api + '/api/v1/tus/',
        headers: {Authorization: 'Bearer ' + token},
        chunkSize,
        removeFingerprintOnSuccess: true,
        // tus-js-client's hooks: every request it sends and every answer it reads
        onBeforeRequest(req) {
          const record = {method: req.getMethod(), offset: req.getHeader('Upload-Offset') ?? null, status: null,
            override: req.getHeader('X-HTTP-Method-Override') ?? null,
            requestId: req.getHeader('X-Request-ID') ?? null};
          requests.push(record);
          req._reelvaultRecord = record;
        },
        onAfterResponse(req, res) {
          const record = req._reelvaultRecord;
          record.status = res.getStatus();
          record.answeredOffset = res.getHeader('Upload-Offset') ?? null;
          record.resource = res.getHeader('Reelvault-Resource') ?? null;
          record.location = res.getHeader('Location') ?? null;
          record.expires = res.getHeader('Upload-Expires') ?? null;
          row([record.method, 'offset ' + record.offset, '→ ' + record.status, 'offset ' + record.answeredOffset]);
        },
        // Uppy's: called for each failed request tus-js-client may retry; next is Uppy's own decision
        onShouldRetry(err, attempt, opts, next) {
          const failed = requests.filter(r => r.status === null);
          const request = failed.length ? failed[failed.length - 1] : null;
          if (request) {
            request.error = String(err && err.message || err);
            row([request.method, 'offset ' + request.offset, '→ failed, attempt ' + attempt]);
          }
          const retry = next(err);
          retries.push({attempt, status: err && err.originalResponse ? err.originalResponse.getStatus() : 0,
            method: request ? request.method : null, offset: request ? request.offset : null, retry});
          return retry;
        },
      };
      const {meta, ...tusOptions} = more || {};
      Object.assign(options, tusOptions);
      uppy.use(Uppy.Tus, options);
      uppy.on('upload-progress', (f, p) => {
        progress.push(p.bytesUploaded);
        document.getElementById('progress').value = p.bytesTotal ? p.bytesUploaded / p.bytesTotal : 0;
        show('status', p.bytesUploaded + ' of ' + p.bytesTotal + ' bytes');
      });
      uppy.on('upload-success', (f, response) => {
        uploadUrl = response && response.uploadURL || null;
      });
      uppy.on('upload-error', (f, e) => {
        uppyErrors.push(String(e && e.message || e));
        show('problem', String(e && e.message || e));
      });
      uppy.addFile({name: 'big.png', type: 'image/png', data: file, meta: meta || {target: 'upload'}});
      show('status', 'uploading');
      const started = performance.now();
      let result;
      try {
        result = await uppy.upload();
      } catch (e) {
        uppyErrors.push('upload(): ' + String(e));
      }
      const seconds = (performance.now() - started) / 1000;
      const successful = result && result.successful ? result.successful.length : 0;
      const failed = result && result.failed ? result.failed.length : 0;
      show('status', successful === 1 ? 'uploaded big.png' : 'failed');
      let regressions = 0;
      for (let i = 1; i < progress.length; i++) {
        if (progress[i] < progress[i - 1]) {
          regressions++;
        }
      }
      uppy.destroy();
      const done = requests.filter(r => r.resource);
      return {
        expectedSha256,
        size,
        seconds,
        successful,
        failed,
        uploadUrl,
        resource: done.length ? done[done.length - 1].resource : null,
        requests,
        retries,
        progressEvents: progress.length,
        lastProgress: progress.length ? progress[progress.length - 1] : null,
        maxProgress: progress.length ? Math.max(...progress) : null,
        progressRegressions: regressions,
        uppyErrors,
        status: document.getElementById('status').textContent,
      };
    },

    // tus's own OPTIONS (capabilities, with the token): the page reads what CORS lets it see
    async tusOptions(api, token) {
      try {
        const r = await fetch(api + '/api/v1/tus/', {
          method: 'OPTIONS', headers: {'Authorization': 'Bearer ' + token, 'Tus-Resumable': '1.0.0'},
        });
        const headers = {};
        for (const name of ['Tus-Resumable', 'Tus-Version', 'Tus-Extension', 'Tus-Max-Size',
          'Tus-Checksum-Algorithm']) {
          headers[name] = r.headers.get(name);
        }
        await r.text();
        return {status: r.status, headers};
      } catch (e) {
        return {error: String(e)};
      }
    },
  };
})();
