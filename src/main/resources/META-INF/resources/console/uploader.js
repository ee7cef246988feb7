// @ts-check
// An Uppy uploader plugin for this service's direct uploads: the bytes go straight to storage (the bucket on S3,
// the service's signed /storage/ route on the local backend), the API only hands out URLs and checks the result.
//   size <= MULTIPART_THRESHOLD: POST /api/v1/uploads/presign -> PUT (every returned header) -> POST .../complete
//   larger: POST /api/v1/uploads/multipart -> POST .../multipart/parts (URLs, 100 at a time) -> PUT each part
//           (its ETag from the answer) -> POST .../multipart/complete; DELETE .../multipart when it fails for good.
// Uppy 6's AwsS3 plugin cannot be used for this: it speaks S3's own protocol (CreateMultipartUpload and
// CompleteMultipartUpload signed for the client), where this service starts and completes uploads itself.
import { api, ok, ApiError } from "./api.js";

/** Files above this go in parts (the service's part size: REELVAULT_UPLOADS_MULTIPART_PART_SIZE, 8 MiB by default). */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
/** Part URLs asked for per call (the API's limit is 100). */
const SIGN_BATCH = 100;
/** Parts in flight at once. */
const PART_CONCURRENCY = 3;
/** Tries of one PUT (a dropped connection is tried again, to the same URL while it is valid). */
const PUT_TRIES = 3;

const Uppy = /** @type {any} */ (globalThis).Uppy;

/** The types the service takes, by extension: browsers disagree on some (audio/wav, audio/x-wav, audio/vnd.wave). */
const TYPES = /** @type {Record<string, string>} */ ({
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  mp3: "audio/mpeg",
  wav: "audio/wav",
});

/** @param {{ name: string, type?: string }} file */
function typeOf(file) {
  const dot = file.name.lastIndexOf(".");
  return TYPES[file.name.slice(dot + 1).toLowerCase()] ?? (file.type || "application/octet-stream");
}

/**
 * PUTs a body with progress; answers the status and ETag. A network failure rejects.
 * @param {string} url
 * @param {Record<string, string> | undefined} headers
 * @param {Blob} body
 * @param {(loaded: number) => void} onProgress
 * @param {AbortSignal} signal
 * @returns {Promise<{ status: number, etag: string | null, body: string }>}
 */
function put(url, headers, body, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers ?? {})) {
      // the browser sets Content-Length itself (exactly the body's, as the URL requires)
      if (name.toLowerCase() !== "content-length") {
        xhr.setRequestHeader(name, value);
      }
    }
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, etag: xhr.getResponseHeader("ETag"), body: xhr.responseText });
    xhr.onerror = () => reject(new Error(`the upload to storage failed (network)`));
    xhr.onabort = () => reject(new DOMException("aborted", "AbortError"));
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/**
 * put(), tried again after a network failure.
 * @param {Parameters<typeof put>} args
 */
async function putWithRetries(...args) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await put(...args);
    } catch (e) {
      if (attempt >= PUT_TRIES || args[4].aborted) {
        throw e;
      }
      args[3](0);
    }
  }
}

/**
 * The text of a storage refusal: a problem document's detail (local backend) or S3's XML code.
 * @param {{ status: number, body: string }} answer
 */
function storageRefusal(answer) {
  try {
    const problem = JSON.parse(answer.body);
    if (problem && typeof problem.detail === "string") {
      return `${problem.detail} (${problem.code}, ${answer.status})`;
    }
  } catch {
    // not JSON: S3 answers XML
  }
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(answer.body);
  return `storage refused the upload (${code ? code[1] : answer.status})`;
}

export class ReelvaultUploader extends Uppy.BasePlugin {
  /**
   * @param {any} uppy
   * @param {{ id?: string }} [opts]
   */
  constructor(uppy, opts) {
    super(uppy, opts);
    this.id = opts?.id ?? "ReelvaultUploader";
    this.type = "uploader";
    /** @type {Map<string, AbortController>} */
    this.inFlight = new Map();
    this.upload = this.upload.bind(this);
    /** @param {{ id: string }} file */
    this.onRemoved = (file) => this.inFlight.get(file.id)?.abort();
    this.onCancelAll = () => this.inFlight.forEach((c) => c.abort());
  }

  install() {
    this.uppy.addUploader(this.upload);
    this.uppy.on("file-removed", this.onRemoved);
    this.uppy.on("cancel-all", this.onCancelAll);
  }

  uninstall() {
    this.uppy.removeUploader(this.upload);
    this.uppy.off("file-removed", this.onRemoved);
    this.uppy.off("cancel-all", this.onCancelAll);
  }

  /** @param {string[]} fileIDs */
  async upload(fileIDs) {
    const files = fileIDs.map((id) => this.uppy.getFile(id)).filter((f) => f && !f.progress?.uploadComplete);
    this.uppy.emit("upload-start", files);
    await Promise.allSettled(files.map((/** @type {any} */ file) => this.uploadOne(file)));
  }

  /** @param {any} file an Uppy file */
  async uploadOne(file) {
    const controller = new AbortController();
    this.inFlight.set(file.id, controller);
    const started = Date.now();
    /** @param {number} bytes */
    const progress = (bytes) =>
      this.uppy.emit("upload-progress", this.uppy.getFile(file.id) ?? file, {
        uploadStarted: started,
        bytesUploaded: bytes,
        bytesTotal: file.size,
      });
    try {
      const type = typeOf(file);
      const metadata =
        file.size > MULTIPART_THRESHOLD
          ? await this.multipart(file, type, progress, controller.signal)
          : await this.single(file, type, progress, controller.signal);
      this.uppy.emit("upload-success", this.uppy.getFile(file.id) ?? file, {
        status: 200,
        body: metadata,
        uploadURL: undefined,
      });
    } catch (e) {
      if (!controller.signal.aborted) {
        this.uppy.emit("upload-error", this.uppy.getFile(file.id) ?? file, e);
      }
    } finally {
      this.inFlight.delete(file.id);
    }
  }

  /**
   * @param {any} file
   * @param {string} type
   * @param {(bytes: number) => void} progress
   * @param {AbortSignal} signal
   */
  async single(file, type, progress, signal) {
    const presigned = await ok(
      api.POST("/api/v1/uploads/presign", {
        body: { filename: file.name, content_type: type, size_bytes: file.size },
        signal,
      }),
    );
    const answer = await putWithRetries(
      /** @type {string} */ (presigned.upload_url),
      presigned.headers,
      file.data,
      progress,
      signal,
    );
    if (answer.status < 200 || answer.status >= 300) {
      throw new ApiError(storageRefusal(answer), answer.status);
    }
    return ok(
      api.POST("/api/v1/uploads/{uploadId}/complete", {
        params: { path: { uploadId: /** @type {string} */ (presigned.upload_id) } },
        signal,
      }),
    );
  }

  /**
   * @param {any} file
   * @param {string} type
   * @param {(bytes: number) => void} progress
   * @param {AbortSignal} signal
   */
  async multipart(file, type, progress, signal) {
    const started = await ok(
      api.POST("/api/v1/uploads/multipart", {
        body: { filename: file.name, content_type: type, size_bytes: file.size },
        signal,
      }),
    );
    const uploadId = /** @type {string} */ (started.upload_id);
    const partSize = /** @type {number} */ (started.part_size);
    const count = /** @type {number} */ (started.part_count);
    try {
      /** @type {number[]} */
      const loaded = new Array(count + 1).fill(0);
      const report = () => progress(loaded.reduce((a, b) => a + b, 0));
      /** @type {{ part_number: number, etag: string }[]} */
      const done = [];
      for (let first = 1; first <= count; first += SIGN_BATCH) {
        const numbers = [];
        for (let n = first; n < first + SIGN_BATCH && n <= count; n++) {
          numbers.push(n);
        }
        const signed = await ok(
          api.POST("/api/v1/uploads/{uploadId}/multipart/parts", {
            params: { path: { uploadId } },
            body: { part_numbers: numbers },
            signal,
          }),
        );
        const queue = [...(signed.parts ?? [])];
        const worker = async () => {
          for (let part = queue.shift(); part; part = queue.shift()) {
            const n = /** @type {number} */ (part.part_number);
            const body = file.data.slice((n - 1) * partSize, Math.min(n * partSize, file.size));
            const answer = await putWithRetries(
              /** @type {string} */ (part.url),
              part.headers,
              body,
              (bytes) => {
                loaded[n] = bytes;
                report();
              },
              signal,
            );
            if (answer.status < 200 || answer.status >= 300 || !answer.etag) {
              throw new ApiError(storageRefusal(answer), answer.status);
            }
            loaded[n] = body.size;
            report();
            done.push({ part_number: n, etag: answer.etag });
          }
        };
        await Promise.all(Array.from({ length: PART_CONCURRENCY }, worker));
      }
      done.sort((a, b) => a.part_number - b.part_number);
      return await ok(
        api.POST("/api/v1/uploads/{uploadId}/multipart/complete", {
          params: { path: { uploadId } },
          body: { parts: done },
          signal,
        }),
      );
    } catch (e) {
      // give the parts back now rather than at the sweeper's next run; the failure shown is the first one
      await api.DELETE("/api/v1/uploads/{uploadId}/multipart", { params: { path: { uploadId } } }).catch(() => {});
      throw e;
    }
  }
}
