// What a web client of reelvault does, as functions the browser tests call (Chromium.call). Each returns a promise
// of a plain object; a network or CORS failure resolves as {error: ...} where the test expects one.
(function () {
  'use strict';

  function show(id, text) {
    document.getElementById(id).textContent = text;
  }

  // size bytes starting with the magic bytes of kind (png) or plain text (a file whose name lies)
  function bytes(kind, size) {
    const out = new Uint8Array(size);
    let x = 12345;
    for (let i = 0; i < size; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      out[i] = kind === 'text' ? 97 + (x % 26) : x & 0xff;
    }
    if (kind === 'png') {
      out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
    }
    return new Blob([out]);
  }

  async function problemOf(response) {
    const type = response.headers.get('Content-Type') || '';
    if (type.startsWith('application/problem+json')) {
      const problem = await response.json();
      show('problem', problem.detail);
      return problem;
    }
    return null;
  }

  // an XHR PUT: the one browser API that reports upload progress
  function put(url, headers, body) {
    return new Promise(resolve => {
      const xhr = new XMLHttpRequest();
      const progress = [];
      xhr.upload.onprogress = e => {
        progress.push({loaded: e.loaded, total: e.total, computable: e.lengthComputable});
        document.getElementById('progress').value = e.lengthComputable ? e.loaded / e.total : 0;
      };
      xhr.onload = () => resolve({status: xhr.status, etag: xhr.getResponseHeader('ETag'), progress});
      xhr.onerror = () => resolve({error: 'network error (CORS or connection)', status: xhr.status, progress});
      xhr.open('PUT', url);
      for (const [name, value] of Object.entries(headers || {})) {
        // Content-Length is the browser's own business (a forbidden header name)
        if (name.toLowerCase() !== 'content-length') {
          xhr.setRequestHeader(name, value);
        }
      }
      xhr.send(body);
    });
  }

  async function presign(api, token, name, type, size) {
    const r = await fetch(api + '/api/v1/uploads/presign', {
      method: 'POST',
      headers: {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'},
      body: JSON.stringify({filename: name, content_type: type, size_bytes: size}),
    });
    return {status: r.status, body: await r.json()};
  }

  async function complete(api, token, uploadId) {
    const r = await fetch(api + '/api/v1/uploads/' + uploadId + '/complete', {
      method: 'POST',
      headers: {'Authorization': 'Bearer ' + token},
    });
    const problem = await problemOf(r.clone());
    return {status: r.status, body: problem || await r.json()};
  }

  window.lab = {
    // presign, PUT with progress, complete: what an upload form does
    // retries: how many times a PUT that met a network error is sent again (the same URL: nothing was stored)
    async directUpload(api, token, name, type, kind, size, retries) {
      show('status', 'presigning ' + name);
      show('problem', '');
      let p;
      try {
        p = await presign(api, token, name, type, size);
      } catch (e) {
        show('status', 'presign failed: ' + e);
        return {stage: 'presign', error: String(e)};
      }
      if (p.status !== 201) {
        return {stage: 'presign', status: p.status, body: p.body};
      }
      show('status', 'uploading ' + name);
      const body = bytes(kind, size);
      let sent = await put(p.body.upload_url, p.body.headers, body);
      let attempts = 1;
      while (sent.error && attempts <= (retries || 0)) {
        show('status', 'retrying ' + name);
        sent = await put(p.body.upload_url, p.body.headers, body);
        attempts++;
      }
      sent.attempts = attempts;
      if (sent.error || sent.status >= 300) {
        show('status', 'upload failed');
        return {stage: 'put', uploadId: p.body.upload_id, put: sent};
      }
      show('status', 'completing ' + name);
      const done = await complete(api, token, p.body.upload_id);
      show('status', done.status === 200 ? 'uploaded ' + name : 'refused: ' + done.status);
      return {stage: 'complete', uploadId: p.body.upload_id, headers: p.body.headers || {}, put: sent, complete: done};
    },

    // only the PUT, to a URL presigned elsewhere
    async putOnly(url, headers, kind, size) {
      return put(url, headers, bytes(kind, size));
    },

    // only the presign request (its failure from a disallowed origin is a CORS error)
    async presignOnly(api, token, name, type, size) {
      try {
        return await presign(api, token, name, type, size);
      } catch (e) {
        return {error: String(e)};
      }
    },

    // plays url in a <video>, seeks to the middle, answers where it is and what it has
    async playAndSeek(url, label) {
      const video = document.createElement('video');
      video.muted = true;
      video.preload = 'auto';
      video.title = label;
      document.getElementById('videos').appendChild(video);
      const once = (event) => new Promise((resolve, reject) => {
        video.addEventListener(event, resolve, {once: true});
        video.addEventListener('error', () => reject(new Error(label + ': media error '
            + (video.error && video.error.code) + ' ' + (video.error && video.error.message))), {once: true});
      });
      const loaded = once('loadedmetadata');
      video.src = url;
      await loaded;
      const duration = video.duration;
      const seeked = once('seeked');
      video.currentTime = duration / 2;
      await seeked;
      if (video.readyState < 2) {
        await once('canplay');
      }
      // where the seek landed and what the element has there, before playing moves it on
      const atSeek = {currentTime: video.currentTime, readyState: video.readyState};
      const playing = once('playing');
      await video.play();
      await playing;
      video.pause();
      return {duration, currentTime: atSeek.currentTime, readyState: atSeek.readyState, played: true,
        width: video.videoWidth, height: video.videoHeight};
    },

    // a ranged GET, reading the headers a page needs from it
    async rangeGet(url, range) {
      const r = await fetch(url, {headers: {'Range': range}});
      const body = new Uint8Array(await r.arrayBuffer());
      return {status: r.status, contentRange: r.headers.get('Content-Range'), etag: r.headers.get('ETag'),
        acceptRanges: r.headers.get('Accept-Ranges'), length: body.length, first: Array.from(body.slice(0, 8))};
    },

    // an upload through the service (raw body): 201 with Location
    async uploadThroughService(api, token, name, type, size) {
      const r = await fetch(api + '/api/v1/uploads?filename=' + encodeURIComponent(name), {
        method: 'POST',
        headers: {'Authorization': 'Bearer ' + token, 'Content-Type': type},
        body: bytes('png', size),
      });
      return {status: r.status, location: r.headers.get('Location'), etag: r.headers.get('ETag'),
        body: await r.json()};
    },

    // lists until the rate limit answers 429 (at most max calls): its Retry-After and problem
    async listUntilLimited(api, token, max) {
      for (let i = 0; i < max; i++) {
        const r = await fetch(api + '/api/v1/uploads', {headers: {'Authorization': 'Bearer ' + token}});
        if (r.status === 429) {
          const problem = await problemOf(r);
          return {status: r.status, calls: i + 1, retryAfter: r.headers.get('Retry-After'), problem};
        }
        await r.arrayBuffer();
      }
      return {status: 'never limited', calls: max};
    },
  };
})();
