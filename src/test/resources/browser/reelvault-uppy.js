// Connects the real Uppy (@uppy/core + @uppy/aws-s3 6.x, e.g. the vendored uppy 6.0.1 bundle) to reelvault's direct
// multipart API: Uppy cuts the file, PUTs each part to its signed URL (straight to storage: the bucket on S3, the
// service's signed part URLs on the local backend) with its own retries and progress, and resumes, completes or
// aborts; reelvault starts, signs, lists, completes and aborts.
//
//   const uppy = new Uppy.Uppy();
//   const link = ReelvaultUppy.connect(uppy, Uppy.AwsS3, {api: 'https://reelvault.example', token, partSize});
//   uppy.addFile({name, type, data});  await uppy.upload();   // link.state: the API calls made, problems met
//
// Why a page-side route: @uppy/aws-s3 6 dropped the createMultipartUpload/signPart/listParts/
// completeMultipartUpload/abortMultipartUpload options of earlier versions and kept three signing modes only
// (getCredentials, signRequest speaking S3's own XML protocol, companionEndpoint speaking Companion's JSON protocol).
// The five functions are here all the same (`functions` below, on reelvault's API with the bearer token). They are
// bound to the five Companion routes Uppy calls in companionEndpoint mode, and the endpoint named is a path of the
// page's own origin that this file answers in the page: it never reaches the network (Uppy calls the global fetch
// for Companion, without credentials, so a real endpoint could not carry the token).
(function () {
  'use strict';

  const networkFetch = window.fetch.bind(window);
  const routes = new Map(); // endpoint -> function (url, init) -> Promise<Response>
  let connections = 0;

  function answer(status, body, statusText) {
    return new Response(JSON.stringify(body), {
      status, statusText: statusText || '', headers: {'Content-Type': 'application/json'},
    });
  }

  // options: api (the service's base URL), token (a bearer token, or a function answering one), partSize (bytes,
  // 5 MiB to 5 GiB: Uppy's chunk size, sent as the upload's part_size so that Uppy's chunks are the server's parts)
  function connect(uppy, AwsS3, options) {
    const endpoint = location.origin + '/reelvault-uppy/' + (++connections);
    const state = {calls: [], problems: [], errors: [], signings: 0, uploads: {}, aborts: []};
    const token = typeof options.token === 'function' ? options.token : () => options.token;

    // one call of reelvault's API; a refusal throws with its problem+json (also kept in state.problems)
    async function api(method, path, body, signal) {
      const headers = {'Authorization': 'Bearer ' + token()};
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
      }
      const r = await networkFetch(options.api + path, {
        method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
      });
      state.calls.push({method, path, status: r.status});
      const text = await r.text();
      const json = text ? JSON.parse(text) : null;
      if (!r.ok) {
        const problem = json || {status: r.status};
        state.problems.push(problem);
        const error = new Error(method + ' ' + path + ': ' + r.status + ' ' + (problem.code || ''));
        error.status = r.status;
        error.problem = problem;
        throw error;
      }
      return json;
    }

    const uploads = '/api/v1/uploads/';

    // Uppy's key is the upload id: the API hands out no storage keys
    const functions = {
      // {filename, type, metadata} -> {uploadId, key}; the size is in the file's meta (set on file-added below)
      async createMultipartUpload({filename, type, metadata}, signal) {
        const started = await api('POST', uploads + 'multipart', {
          filename, content_type: type, size_bytes: Number(metadata.size_bytes), part_size: options.partSize,
        }, signal);
        state.uploads[started.upload_id] = {started, signed: new Map()};
        return {uploadId: started.upload_id, key: started.upload_id};
      },

      // -> {url}: signs up to 100 parts in one call and keeps them for half their life
      async signPart(uploadId, partNumber, signal) {
        const upload = state.uploads[uploadId];
        if (!upload) {
          throw new Error('no upload ' + uploadId + ' was started here');
        }
        let part = upload.signed.get(partNumber);
        if (!part || part.until <= Date.now()) {
          const last = Math.min(upload.started.part_count, partNumber + 99);
          const numbers = [];
          for (let n = partNumber; n <= last; n++) {
            numbers.push(n);
          }
          const signed = await api('POST', uploads + uploadId + '/multipart/parts', {part_numbers: numbers}, signal);
          state.signings++;
          for (const p of signed.parts) {
            upload.signed.set(p.part_number, {
              url: p.url, headers: p.headers || {}, until: Date.now() + p.expires_in * 500,
            });
          }
          part = upload.signed.get(partNumber);
        }
        if (Object.keys(part.headers).length > 0) {
          // Uppy 6 PUTs a part with the URL alone (Companion mode drops headers): say so rather than meet a 403
          throw new Error('part ' + partNumber + ' needs headers Uppy does not send: ' + Object.keys(part.headers));
        }
        return {url: part.url};
      },

      // -> [{PartNumber, Size, ETag}], every page of the listing (Uppy resumes from it)
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

      // [{PartNumber, ETag}] -> {location, key}; the upload's metadata is kept in state.uploads[id].metadata
      async completeMultipartUpload(uploadId, parts, signal) {
        const metadata = await api('POST', uploads + uploadId + '/multipart/complete', {
          parts: parts.map(p => ({part_number: p.PartNumber, etag: p.ETag})),
        }, signal);
        if (state.uploads[uploadId]) {
          state.uploads[uploadId].metadata = metadata;
        }
        return {location: options.api + uploads + uploadId, key: uploadId};
      },

      async abortMultipartUpload(uploadId, signal) {
        await api('DELETE', uploads + uploadId + '/multipart', undefined, signal);
        return {};
      },
    };

    // Companion's multipart routes, as @uppy/aws-s3 6 calls them, -> the five functions
    async function companion(url, init) {
      const method = (init && init.method) || 'GET';
      const signal = init && init.signal;
      const body = init && init.body ? JSON.parse(init.body) : undefined;
      const path = url.href.substring(endpoint.length).split('?')[0];
      const key = url.searchParams.get('key');
      const idOf = (m) => {
        const id = decodeURIComponent(m[1]);
        if (id !== key) {
          throw new Error('the key Uppy sent is not the upload id: ' + key);
        }
        return id;
      };
      let m;
      if (path === '/s3/multipart' && method === 'POST') {
        return answer(200, await functions.createMultipartUpload(body, signal));
      }
      if ((m = /^\/s3\/multipart\/([^/]+)\/(\d+)$/.exec(path)) && method === 'GET') {
        return answer(200, await functions.signPart(idOf(m), Number(m[2]), signal));
      }
      if ((m = /^\/s3\/multipart\/([^/]+)\/complete$/.exec(path)) && method === 'POST') {
        return answer(200, await functions.completeMultipartUpload(idOf(m), body.parts, signal));
      }
      if ((m = /^\/s3\/multipart\/([^/]+)$/.exec(path)) && method === 'GET') {
        return answer(200, await functions.listParts(idOf(m), signal));
      }
      if ((m = /^\/s3\/multipart\/([^/]+)$/.exec(path)) && method === 'DELETE') {
        // Uppy does not wait for an abort (cancel): state.aborts lets the page do so
        const aborted = functions.abortMultipartUpload(idOf(m), signal);
        state.aborts.push(aborted.catch(() => {}));
        return answer(200, await aborted);
      }
      return answer(404, {error: 'no such route: ' + method + ' ' + path});
    }

    routes.set(endpoint, (url, init) => companion(url, init).catch(e => {
      if (e && e.name === 'AbortError') {
        throw e;
      }
      // a refusal reaches Uppy as a failed Companion call, whose message carries the statusText
      state.errors.push(String(e));
      return answer(e.status || 500, {error: String(e)}, 'reelvault ' + ((e.problem && e.problem.code) || 'error'));
    }));
    uppy.on('file-added', file => uppy.setFileMeta(file.id, {size_bytes: String(file.size)}));
    uppy.use(AwsS3, {
      shouldUseMultipart: true,
      companionEndpoint: endpoint,
      getChunkSize: () => options.partSize,
    });
    return {endpoint, functions, state, close: () => routes.delete(endpoint)};
  }

  window.fetch = function (input, init) {
    const url = new URL(typeof input === 'string' ? input : input.url, location.href);
    for (const [endpoint, route] of routes) {
      if (url.href.startsWith(endpoint + '/')) {
        return route(url, init);
      }
    }
    return networkFetch(input, init);
  };

  window.ReelvaultUppy = {connect};
})();
