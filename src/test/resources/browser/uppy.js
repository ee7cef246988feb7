// The browser tests' page for the real Uppy (vendored uppy 6.0.1: @uppy/core + @uppy/aws-s3 6.1.0) uploading to
// reelvault's direct multipart API through reelvault-uppy.js, as functions the tests call (Chromium.call).
(function () {
  'use strict';

  function show(id, text) {
    document.getElementById(id).textContent = text;
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
      xhrs.length = 0;
      const uppy = new Uppy.Uppy({id: 'reelvault-test', autoProceed: false});
      const link = ReelvaultUppy.connect(uppy, Uppy.AwsS3, {api, token, partSize});
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
        show('status', 'part ' + part.PartNumber + ' stored');
        if (cancelAfterPart > 0 && part.PartNumber === cancelAfterPart && !cancelled) {
          cancelled = true;
          uppy.cancelAll();
        }
      });
      uppy.on('upload-error', (f, e) => {
        uppyErrors.push(String(e && e.message || e));
        const problem = link.state.problems[link.state.problems.length - 1];
        show('problem', problem && problem.detail || String(e && e.message || e));
      });
      uppy.addFile({name: 'big.png', type: 'image/png', data: file});
      show('status', 'uploading');
      const started = performance.now();
      let result;
      try {
        result = await uppy.upload();
      } catch (e) {
        uppyErrors.push('upload(): ' + String(e));
      }
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(link.state.aborts);
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
      link.close();
      const ids = Object.keys(link.state.uploads);
      const upload = ids.length === 1 ? link.state.uploads[ids[0]] : {};
      return {
        uploadId: ids.length === 1 ? ids[0] : null,
        started: upload.started || null,
        metadata: upload.metadata || null,
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
        calls: link.state.calls,
        signings: link.state.signings,
        problems: link.state.problems,
        adapterErrors: link.state.errors,
        uppyErrors,
        status: document.getElementById('status').textContent,
      };
    },
  };
})();
