/* Inspect — progressive enhancement only: every page works without this file.
 * Adds: photo previews with remove, photo shrinking before upload (EXIF time/GPS kept),
 * drafts saved on the phone as they are typed, a double-tap guard, project filtering. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var MAX_SIDE = 2048, QUALITY = 0.85, SHRINK_ABOVE = 1.5 * 1024 * 1024;

  /* ---------- photos ---------- */
  function readBytes(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(new Uint8Array(reader.result)); };
      reader.onerror = reject;
      reader.readAsArrayBuffer(file);
    });
  }

  /* The APP1 "Exif" segment of a JPEG, with its orientation set to 1 (the canvas is upright). */
  function uprightExifSegment(bytes) {
    if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
    var pos = 2;
    while (pos + 4 < bytes.length && bytes[pos] === 0xff) {
      var marker = bytes[pos + 1], size = (bytes[pos + 2] << 8) | bytes[pos + 3];
      if (marker === 0xe1 && bytes[pos + 4] === 0x45 && bytes[pos + 5] === 0x78) {
        var segment = bytes.slice(pos, pos + 2 + size);
        resetOrientation(segment, 10);
        return segment;
      }
      if (marker === 0xda) break;
      pos += 2 + size;
    }
    return null;
  }

  function resetOrientation(seg, tiff) {
    var little = seg[tiff] === 0x49;
    function u16(i) { return little ? seg[i] | (seg[i + 1] << 8) : (seg[i] << 8) | seg[i + 1]; }
    function u32(i) { return little ? (seg[i] | (seg[i + 1] << 8) | (seg[i + 2] << 16)) + seg[i + 3] * 16777216
                                    : seg[i] * 16777216 + ((seg[i + 1] << 16) | (seg[i + 2] << 8) | seg[i + 3]); }
    var ifd = tiff + u32(tiff + 4);
    if (ifd + 2 > seg.length) return;
    var count = u16(ifd);
    for (var n = 0; n < count; n++) {
      var entry = ifd + 2 + n * 12;
      if (entry + 12 > seg.length) return;
      if (u16(entry) === 0x0112) {
        if (little) { seg[entry + 8] = 1; seg[entry + 9] = 0; } else { seg[entry + 8] = 0; seg[entry + 9] = 1; }
        return;
      }
    }
  }

  function withExif(jpegBytes, exif) {
    if (!exif) return jpegBytes;
    var out = new Uint8Array(jpegBytes.length + exif.length);
    out.set(jpegBytes.subarray(0, 2), 0);
    out.set(exif, 2);
    out.set(jpegBytes.subarray(2), 2 + exif.length);
    return out;
  }

  /* Shrink one photo to at most 2048 px, upright; keep the original if anything fails. */
  function shrink(file) {
    if (!window.createImageBitmap || !/^image\/(jpeg|png|webp)$/.test(file.type) || file.size < SHRINK_ABOVE) {
      return Promise.resolve(file);
    }
    return readBytes(file).then(function (bytes) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); })
          .then(function (blob) { return blob.arrayBuffer(); })
          .then(function (buffer) {
            var exif = file.type === "image/jpeg" ? uprightExifSegment(bytes) : null;
            var data = withExif(new Uint8Array(buffer), exif);
            if (data.length >= file.size) return file;
            var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
            return new File([data], name, { type: "image/jpeg", lastModified: file.lastModified });
          });
      });
    }).catch(function () { return file; });
  }

  function setFiles(input, files) {
    var transfer = new DataTransfer();
    files.forEach(function (f) { transfer.items.add(f); });
    input.files = transfer.files;
  }

  function renderPreviews(picker, input) {
    var box = picker.querySelector(".thumbs");
    box.querySelectorAll(".pending").forEach(function (el) { el.remove(); });
    Array.prototype.forEach.call(input.files, function (file, index) {
      var figure = document.createElement("figure");
      figure.className = "thumb pending";
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = picker.dataset.removeText || "移除";
      remove.addEventListener("click", function () {
        var rest = Array.prototype.filter.call(input.files, function (_f, i) { return i !== index; });
        setFiles(input, rest);
        renderPreviews(picker, input);
      });
      figure.appendChild(img);
      figure.appendChild(remove);
      box.appendChild(figure);
    });
  }

  function enhancePicker(picker) {
    var input = picker.querySelector("input[type=file]");
    if (!input || typeof DataTransfer === "undefined") return;
    var kept = [];
    input.addEventListener("change", function () {
      var chosen = kept.concat(Array.prototype.slice.call(input.files));
      picker.dataset.busy = "1";
      Promise.all(chosen.map(shrink)).then(function (files) {
        kept = files;
        setFiles(input, files);
        renderPreviews(picker, input);
        delete picker.dataset.busy;
      });
    });
    picker.querySelectorAll(".kept .remove").forEach(function (label) {
      var box = label.querySelector("input");
      box.addEventListener("change", function () {
        label.closest(".thumb").style.opacity = box.checked ? "0.35" : "1";
      });
    });
  }

  /* ---------- drafts: nothing typed is lost ---------- */
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.type !== "submit" && el.name !== "csrf_token" &&
        el.type !== "button";
    });
  }

  function saveDraft(form, key) {
    var values = {};
    draftFields(form).forEach(function (el) {
      if (el.type === "checkbox") {
        values[el.name + "=" + el.value] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    });
    try { localStorage.setItem("draft:" + key, JSON.stringify({ at: Date.now(), values: values })); } catch (e) { /* full */ }
  }

  function restoreDraft(form, key, status) {
    var raw = localStorage.getItem("draft:" + key);
    if (!raw || form.querySelector(".error")) return;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return; }
    draftFields(form).forEach(function (el) {
      var checkKey = el.name + "=" + el.value;
      if (el.type === "checkbox" && checkKey in draft.values) {
        el.checked = draft.values[checkKey];
      } else if (el.type !== "checkbox" && el.name in draft.values && !/photo_ids$/.test(el.name)) {
        el.value = draft.values[el.name];
      }
    });
    status.textContent = (form.dataset.restoredText || "已恢复上次未提交的草稿") + " · " +
      new Date(draft.at).toLocaleString();
  }

  function enhanceDrafts(form) {
    var key = form.dataset.draftKey, status = form.querySelector("[data-draft-status]");
    if (!key || !window.localStorage) return;
    restoreDraft(form, key, status);
    var timer;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { saveDraft(form, key); }, 300);
    });
    form.addEventListener("change", function () { saveDraft(form, key); });
    window.addEventListener("pageshow", function () { form.querySelectorAll("[disabled]").forEach(function (b) { b.disabled = false; }); });
    form.addEventListener("submit", function (event) {
      saveDraft(form, key);
      var busy = form.querySelector("[data-photo-picker][data-busy]");
      if (busy) { event.preventDefault(); setTimeout(function () { form.requestSubmit(event.submitter); }, 400); return; }
      if (event.submitter && event.submitter.value === "save") {
        sessionStorage.setItem("submitted-draft", key);
      }
    });
  }

  /* ---------- double-tap guard ---------- */
  function guardSubmit(form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      if (sent) { event.preventDefault(); return; }
      sent = true;
      var button = event.submitter;
      if (button && button.value) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
        form.appendChild(hidden);
      }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      setTimeout(function () { sent = false; form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; }); }, 15000);
    });
  }

  /* ---------- project search as you type ---------- */
  function enhanceProjectFilter(input) {
    var select = document.getElementById("project_id");
    if (!select) return;
    input.addEventListener("input", function () {
      var words = input.value.trim();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = words && option.text.indexOf(words) === -1 && !option.selected;
      });
    });
    input.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
  }

  /* A saved visit page: forget the draft it came from. */
  function forgetSavedDraft() {
    var key = sessionStorage.getItem("submitted-draft");
    if (key && !document.querySelector("form[data-draft-key]")) {
      localStorage.removeItem("draft:" + key);
      sessionStorage.removeItem("submitted-draft");
    }
  }

  /* After a validation error, bring the first message (and its field) into view. */
  function showFirstError() {
    var error = document.querySelector("main .error, main [data-form-error]");
    if (!error) return;
    var holder = error.closest(".field") || error;
    holder.scrollIntoView({ block: "center" });
    var input = holder.querySelector("input:not([type=hidden]), select, textarea");
    if (input) input.focus({ preventScroll: true });
  }

  /* The new-visit form is driven by offline.js (IndexedDB drafts and the send queue). */
  window.InspectShrink = shrink;
  function offlineForm(el) {
    return window.indexedDB && el.closest("form[data-offline]");
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetSavedDraft();
    showFirstError();
    document.querySelectorAll("[data-photo-picker]").forEach(function (picker) {
      if (!offlineForm(picker)) enhancePicker(picker);
    });
    document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      if (offlineForm(form)) return;
      enhanceDrafts(form);
      guardSubmit(form);
    });
    document.querySelectorAll("[data-project-filter]").forEach(function (input) {
      if (!offlineForm(input)) enhanceProjectFilter(input);
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  });
})();
