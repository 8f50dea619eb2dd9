// Photos in the room: thumbnails in a message (a click opens the full image),
// and sending with upload progress. A photo message goes over REST as multipart
// (the socket carries text frames only); a failed upload keeps its client_id, so
// "Retry" can never make a second message (the server answers 200 with the first).

export const MAX_PHOTOS = 5;
export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"];

/** Why these files cannot be sent ("" when they can): the server checks again, by decoding. */
export function photoProblem(files, maxBytes) {
  if (files.length > MAX_PHOTOS) return `At most ${MAX_PHOTOS} photos per message (${files.length} chosen).`;
  for (const file of files) {
    if (!ACCEPTED_TYPES.includes(file.type)) return `${file.name} is not a JPEG, PNG or WebP photo.`;
    if (file.size > maxBytes) return `${file.name} is larger than ${Math.round(maxBytes / 1048576)} MB.`;
  }
  return "";
}

/** Show a message's photos as thumbnails linking to the full images (none once deleted). */
export function renderPhotos(element, message) {
  // The stored thumbnails replace any previews of the upload (whichever comes first:
  // the upload's answer or the room's event).
  element.querySelectorAll(".chat-photos, .chat-previews").forEach((node) => node.remove());
  if (message.deleted || !message.images?.length) return;
  const box = document.createElement("div");
  box.className = "chat-photos";
  for (const image of message.images) {
    const link = document.createElement("a");
    link.href = image.url;
    link.target = "_blank";
    link.rel = "noopener";
    const thumbnail = document.createElement("img");
    thumbnail.src = image.thumbnail_url;
    thumbnail.alt = "Photo";
    thumbnail.loading = "lazy";
    link.append(thumbnail);
    box.append(link);
  }
  element.querySelector(".chat-body").before(box);
}

/** POST multipart with upload progress; resolves to {status, data}. Rejects on a network failure. */
export function uploadMessage(url, fields, files, csrfToken, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const file of files) form.append("images", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", csrfToken);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      let data = null;
      try {
        data = JSON.parse(request.responseText);
      } catch {
        data = null;
      }
      resolve({ status: request.status, data });
    });
    request.addEventListener("error", () => reject(new Error("The upload failed: check your connection.")));
    request.send(form);
  });
}

function describe(data, status) {
  if (!data || typeof data !== "object") return `The server answered ${status}.`;
  if (data.detail) return String(data.detail);
  return Object.values(data).flat().join(" ");
}

export class PhotoSender {
  /**
   * @param {object} options
   * @param {string} options.url  the conversation's messages endpoint
   * @param {() => string} options.newId  a fresh client_id
   * @param {() => string} options.csrfToken  the session's CSRF token
   * @param {(item: object) => HTMLElement} options.onPending  shows a message waiting
   * @param {(message: object) => void} options.onStored  shows the stored message
   * @param {(text: string) => void} options.onError
   */
  constructor({ url, newId, csrfToken, onPending, onStored, onError }) {
    Object.assign(this, { url, newId, csrfToken, onPending, onStored, onError });
  }

  send(body, files) {
    const item = { client_id: this.newId(), body, created_at: new Date().toISOString() };
    const element = this.onPending(item);
    const progress = document.createElement("div");
    progress.className = "progress chat-progress";
    progress.setAttribute("role", "progressbar");
    progress.setAttribute("aria-label", "Upload progress");
    const bar = document.createElement("div");
    bar.className = "progress-bar";
    progress.append(bar);
    const previews = document.createElement("div");
    previews.className = "chat-previews";
    for (const file of files) {
      const preview = document.createElement("img");
      preview.src = URL.createObjectURL(file);
      preview.alt = file.name;
      previews.append(preview);
    }
    element.querySelector(".chat-body").before(previews, progress);
    this.upload(item, files, element, progress, bar);
  }

  async upload(item, files, element, progress, bar) {
    const tick = element.querySelector(".chat-status");
    const show = (fraction) => {
      const percent = Math.round(fraction * 100);
      bar.style.width = `${percent}%`;
      progress.setAttribute("aria-valuenow", String(percent));
      tick.textContent = `uploading ${percent}%`;
    };
    show(0);
    try {
      const { status, data } = await uploadMessage(this.url, { body: item.body, client_id: item.client_id }, files, this.csrfToken(), show);
      if (status === 200 || status === 201) {
        progress.remove();
        this.onStored(data);
        return;
      }
      if (status >= 500 || status === 429) throw new Error(describe(data, status));
      progress.remove(); // refused for good (400, 403, 404): say why, no retry
      tick.dataset.status = "failed";
      tick.textContent = "not sent";
      this.onError(describe(data, status));
    } catch (error) {
      this.offerRetry(item, files, element, progress, bar, error.message);
    }
  }

  offerRetry(item, files, element, progress, bar, reason) {
    const tick = element.querySelector(".chat-status");
    tick.dataset.status = "failed";
    tick.textContent = "not sent";
    this.onError(reason);
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "btn btn-link btn-sm p-0 ms-2 chat-retry";
    retry.textContent = "Retry";
    retry.addEventListener("click", () => {
      retry.remove();
      this.onError("");
      this.upload(item, files, element, progress, bar); // the same client_id: stored once
    });
    element.querySelector(".chat-meta").append(retry);
  }
}
