// @ts-check
// The web console: sign in with a pasted token, upload (Uppy with ReelvaultUploader), your uploads with previews,
// generations with their clips' thumbnails and a player, compositions with a download link. Only the public API
// (api.js), with the token in the Authorization header. Everything a user or the service wrote (file names, prompts,
// ids) goes into the page as text, never as HTML.
import { api, ok, token, setToken, claims, ApiError } from "./api.js";
import { ReelvaultUploader } from "./uploader.js";

/** @typedef {import("./openapi").components["schemas"]} schemas */

const Uppy = /** @type {any} */ (globalThis).Uppy;

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
function $(id) {
  const element = document.getElementById(id);
  if (!element) {
    throw new Error(`the page has no #${id}`);
  }
  return /** @type {T} */ (element);
}

/**
 * A new element with text content and attributes.
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {string} [text]
 */
function el(tag, attributes = {}, text) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

/** @param {number | undefined} bytes */
function size(bytes) {
  if (bytes === undefined) {
    return "";
  }
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** @param {string | null} message */
function showProblem(message) {
  const problem = $("problem");
  problem.textContent = message ?? "";
  problem.hidden = !message;
}

/** @param {unknown} e */
function report(e) {
  if (e instanceof ApiError && e.status === 401) {
    signOut(`signed out: ${e.message}`);
    return;
  }
  showProblem(e instanceof Error ? e.message : String(e));
}

const screens = ["sign-in", "uploads", "generations", "compositions"];

/** @param {string} name */
function show(name) {
  for (const screen of screens) {
    $(`screen-${screen}`).hidden = screen !== name;
  }
  for (const button of document.querySelectorAll("#nav button[data-screen]")) {
    button.classList.toggle("active", button.getAttribute("data-screen") === name);
  }
  document.body.dataset.screen = name;
}

// --- sign in

/** @param {string} [why] */
function signOut(why) {
  setToken(null);
  $("nav").hidden = true;
  show("sign-in");
  showProblem(why ?? null);
}

async function signIn() {
  const pasted = /** @type {HTMLTextAreaElement} */ ($("token")).value.trim();
  const said = claims(pasted);
  if (!said) {
    showProblem("that is not a JWT (three base64url parts separated by dots)");
    return;
  }
  setToken(pasted);
  try {
    // the service verifies the token: one cheap call proves it
    await ok(api.GET("/api/v1/uploads", { params: { query: { limit: 1 } } }));
  } catch (e) {
    setToken(null);
    showProblem(e instanceof Error ? e.message : String(e));
    return;
  }
  /** @type {HTMLTextAreaElement} */ ($("token")).value = "";
  enter();
}

function enter() {
  const said = claims(token() ?? "");
  showProblem(null);
  $("nav").hidden = false;
  $("who").textContent = said ? `${said.sub} (${said.groups.join(", ") || "no groups"})` : "";
  show("uploads");
  loadUploads(true).catch(report);
}

function isPipeline() {
  return claims(token() ?? "")?.groups.includes("pipeline") ?? false;
}

/** Dev mode only: /dev/token answers there (absent from the packaged service), so the form is filled. */
async function fillDevToken() {
  try {
    const answer = await fetch("/dev/token?sub=dev-user&pipeline=true", { cache: "no-store" });
    const text = answer.ok ? (await answer.text()).trim() : "";
    const field = /** @type {HTMLTextAreaElement} */ ($("token"));
    if (claims(text) && !field.value) {
      field.value = text;
      $("dev-note").hidden = false;
    }
  } catch {
    // not dev mode
  }
}

// --- uploads

/** @type {string | undefined} */
let uploadsAfter;

/** @param {boolean} fresh */
async function loadUploads(fresh) {
  const list = $("uploads");
  if (fresh) {
    uploadsAfter = undefined;
    list.replaceChildren();
  }
  const page = await ok(api.GET("/api/v1/uploads", { params: { query: { limit: 50, after: uploadsAfter } } }));
  for (const upload of page.items ?? []) {
    list.append(uploadCard(upload));
  }
  uploadsAfter = page.next_after ?? undefined;
  $("uploads-more").hidden = !uploadsAfter;
  if (!list.children.length) {
    list.append(el("li", { class: "empty" }, "no uploads yet"));
  }
}

/** @param {schemas["UploadMetadata"]} upload */
function uploadCard(upload) {
  const id = upload.upload_id ?? "";
  const card = el("li", { class: "card", "data-upload-id": id });
  const preview = el("div", { class: "preview" });
  card.append(
    preview,
    el("strong", {}, upload.filename ?? id),
    el("span", { class: "meta" }, `${upload.content_type ?? ""} · ${size(upload.size_bytes)}`),
    el("span", { class: "meta" }, upload.created_at ? new Date(upload.created_at).toLocaleString() : ""),
  );
  const remove = el("button", { type: "button", class: "delete" }, "Delete");
  remove.addEventListener("click", () => deleteUpload(id).catch(report));
  card.append(remove);
  const type = upload.content_type ?? "";
  if (type.startsWith("image/") || type.startsWith("audio/")) {
    ok(api.GET("/api/v1/uploads/{uploadId}/url", { params: { path: { uploadId: id } } }))
      .then((signed) => {
        const media = type.startsWith("image/")
          ? el("img", { alt: upload.filename ?? "", src: signed.url ?? "" })
          : el("audio", { controls: "", preload: "none", src: signed.url ?? "" });
        preview.append(media);
      })
      .catch((e) => preview.append(el("span", { class: "meta" }, e instanceof Error ? e.message : String(e))));
  }
  return card;
}

/** @param {string} id */
async function deleteUpload(id) {
  const { response, error } = await api.DELETE("/api/v1/uploads/{uploadId}", { params: { path: { uploadId: id } } });
  if (!response.ok) {
    throw new ApiError(`${/** @type {any} */ (error)?.detail ?? response.status}`, response.status);
  }
  await loadUploads(true);
}

function startUppy() {
  const uppy = new Uppy.Uppy({
    autoProceed: false,
    restrictions: {
      allowedFileTypes: [".png", ".jpg", ".jpeg", ".gif", ".mp3", ".wav"],
    },
  })
    .use(Uppy.Dashboard, {
      inline: true,
      target: "#dashboard",
      height: 300,
      width: "100%",
      proudlyDisplayPoweredByUppy: false,
      hideProgressDetails: false,
    })
    .use(ReelvaultUploader);
  const bar = /** @type {HTMLProgressElement} */ ($("upload-progress"));
  const status = $("upload-status");
  /** Bytes sent and total of each file of the current upload, as the uploader reports them (every progress event). */
  /** @type {Map<string, { sent: number, total: number }>} */
  const files = new Map();
  uppy.on("upload", () => {
    files.clear();
    bar.value = 0;
    status.textContent = "uploading";
    showProblem(null);
  });
  uppy.on(
    "upload-progress",
    (/** @type {any} */ file, /** @type {{ bytesUploaded: number, bytesTotal: number }} */ progress) => {
      files.set(file.id, { sent: progress.bytesUploaded, total: progress.bytesTotal });
      let sent = 0;
      let total = 0;
      for (const f of files.values()) {
        sent += f.sent;
        total += f.total;
      }
      bar.value = total ? Math.floor((100 * sent) / total) : 0;
      const percent = progress.bytesTotal ? Math.floor((100 * progress.bytesUploaded) / progress.bytesTotal) : 0;
      status.textContent = `uploading ${file.name}: ${percent}% (${size(progress.bytesUploaded)} of ${size(progress.bytesTotal)})`;
    },
  );
  uppy.on("upload-success", (/** @type {any} */ file) => {
    status.textContent = `uploaded ${file.name}`;
  });
  uppy.on("upload-error", (/** @type {any} */ file, /** @type {Error} */ error) => {
    status.textContent = `${file.name} failed`;
    report(error);
  });
  uppy.on("complete", () => loadUploads(true).catch(report));
}

// --- generations (pipeline tokens only: the API refuses others with 403)

/**
 * Says why a pipeline-only screen is empty; answers whether it may load.
 * @param {string} what
 */
function pipelineOnly(what) {
  const denied = $(`${what}-denied`);
  const allowed = isPipeline();
  denied.hidden = allowed;
  denied.textContent = allowed
    ? ""
    : `${what[0].toUpperCase()}${what.slice(1)} are the pipeline's: the API shows them only to tokens in the group ` +
      `"pipeline", and this token is not (its groups: ${claims(token() ?? "")?.groups.join(", ") || "none"}).`;
  $(what).hidden = !allowed;
  return allowed;
}

async function loadGenerations() {
  $("generation").hidden = true;
  if (!pipelineOnly("generations")) {
    return;
  }
  const page = await ok(api.GET("/api/v1/generations", { params: { query: { limit: 50 } } }));
  const rows = /** @type {HTMLTableElement} */ ($("generations")).tBodies[0];
  rows.replaceChildren();
  for (const g of page.items ?? []) {
    const id = g.generation_id ?? "";
    const open = el("button", { type: "button", "data-generation-id": id }, "Open");
    open.addEventListener("click", () => openGeneration(id).catch(report));
    const row = el("tr");
    row.append(
      el("td", { class: "id" }, id),
      el("td", {}, g.prompt ?? ""),
      el("td", {}, g.status ?? ""),
      el("td", {}, String(g.clips?.length ?? 0)),
      el("td"),
    );
    row.lastElementChild?.append(open);
    rows.append(row);
  }
  if (!rows.children.length) {
    const row = el("tr");
    row.append(el("td", { colspan: "5", class: "empty" }, "no generations"));
    rows.append(row);
  }
}

/** @param {string} id */
async function openGeneration(id) {
  const g = await ok(api.GET("/api/v1/generations/{generationId}", { params: { path: { generationId: id } } }));
  $("generation").hidden = false;
  $("generation-title").textContent = `${id}: ${g.prompt ?? ""} (${g.status ?? ""})`;
  const clips = $("clips");
  clips.replaceChildren();
  const player = /** @type {HTMLVideoElement} */ ($("player"));
  player.hidden = true;
  player.removeAttribute("src");
  for (const clip of g.clips ?? []) {
    const card = el("li", { class: "card clip", "data-clip": String(clip.clip ?? "") });
    const play = el("button", { type: "button", class: "play", title: `play clip ${clip.clip}` });
    if (clip.thumbnail_url) {
      play.append(el("img", { alt: `clip ${clip.clip}`, src: clip.thumbnail_url }));
    } else {
      play.append(el("span", { class: "meta" }, `no thumbnail (${clip.thumbnail ?? "none"})`));
    }
    play.addEventListener("click", () => {
      if (clip.preview_url) {
        player.hidden = false;
        player.src = clip.preview_url;
        player.play().catch(() => {});
      }
    });
    card.append(
      play,
      el("strong", {}, `clip ${clip.clip}`),
      el("span", { class: "meta" }, `${clip.duration_seconds ?? "?"} s · ${size(clip.size_bytes)}`),
    );
    clips.append(card);
  }
}

// --- compositions

async function loadCompositions() {
  if (!pipelineOnly("compositions")) {
    return;
  }
  const page = await ok(api.GET("/api/v1/compositions", { params: { query: { limit: 50 } } }));
  const rows = /** @type {HTMLTableElement} */ ($("compositions")).tBodies[0];
  rows.replaceChildren();
  for (const c of page.items ?? []) {
    const id = c.composition_id ?? "";
    const cell = el("td", { class: "download" });
    if (c.final_video) {
      const button = el("button", { type: "button", "data-composition-id": id }, "Download link");
      button.addEventListener("click", () =>
        ok(api.GET("/api/v1/compositions/{compositionId}/download", { params: { path: { compositionId: id } } }))
          .then((d) => {
            const link = el("a", { href: d.url ?? "", download: d.filename ?? "", class: "download-link" });
            link.textContent = `${d.filename ?? "final.mp4"} (link valid ${Math.round((d.expires_in ?? 0) / 3600)} h)`;
            cell.replaceChildren(link);
          })
          .catch(report),
      );
      cell.append(button);
    } else {
      cell.textContent = "not rendered yet";
    }
    const row = el("tr");
    row.append(
      el("td", { class: "id" }, id),
      el("td", { class: "id" }, c.generation_id ?? ""),
      el("td", {}, c.status ?? ""),
      el("td", {}, size(c.final_video?.size_bytes)),
      cell,
    );
    rows.append(row);
  }
  if (!rows.children.length) {
    const row = el("tr");
    row.append(el("td", { colspan: "5", class: "empty" }, "no compositions"));
    rows.append(row);
  }
}

// --- wiring

$("sign-in-form").addEventListener("submit", (e) => {
  e.preventDefault();
  signIn().catch(report);
});
$("sign-out").addEventListener("click", () => signOut());
$("uploads-more").addEventListener("click", () => loadUploads(false).catch(report));
$("nav-uploads").addEventListener("click", () => {
  show("uploads");
  loadUploads(true).catch(report);
});
$("nav-generations").addEventListener("click", () => {
  show("generations");
  loadGenerations().catch(report);
});
$("nav-compositions").addEventListener("click", () => {
  show("compositions");
  loadCompositions().catch(report);
});

startUppy();
if (token()) {
  enter();
} else {
  show("sign-in");
  fillDevToken();
}
document.body.dataset.ready = "true";
