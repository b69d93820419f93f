/* Inspect offline: the service worker, drafts in IndexedDB, and the send queue.
 * Progressive: every page works without this file. With it, the new-visit form is saved on
 * the phone as it is typed (photos as Blobs), a submission waits on the phone until the
 * network is back, and it is sent once through /api/v1 (each object carries its client UUID,
 * so a retry never stores a second copy). */
(function () {
  "use strict";
  var DB_NAME = "inspect-offline", STORE = "drafts", LOCK = "inspect-outbox";
  var JSON_TIMEOUT = 30000, PHOTO_TIMEOUT = 120000, MAX_WAIT = 10 * 60 * 1000;
  var QUEUED = { waiting: 1, sending: 1 };  // a refused item waits for the user, not the network
  var userId = document.body ? document.body.dataset.user : "";
  var live = {};  // uuid -> fraction of the current photo upload (for the progress bars)

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  /* ---------- IndexedDB ---------- */
  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "uuid" }); };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function run(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), out = { value: undefined };
        work(t.objectStore(STORE), out);
        t.oncomplete = function () { resolve(out.value); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  function getItem(id) {
    return run("readonly", function (store, out) {
      store.get(id).onsuccess = function (e) { out.value = e.target.result; };
    }).then(function (item) { return item && item.userId === userId ? item : null; });
  }

  function allItems() {
    return run("readonly", function (store, out) {
      store.getAll().onsuccess = function (e) { out.value = e.target.result; };
    }).then(function (items) {
      return items.filter(function (i) { return i.userId === userId; })
        .sort(function (a, b) { return b.updatedAt - a.updatedAt; });
    });
  }

  /* Read, change and write one item in a single transaction (the form and the sender share it). */
  function update(id, change) {
    return run("readwrite", function (store, out) {
      store.get(id).onsuccess = function (e) {
        var item = change(e.target.result);
        if (item) { item.updatedAt = Date.now(); store.put(item); }
        out.value = item;
      };
    });
  }

  function putItem(item) {
    item.updatedAt = Date.now();
    return run("readwrite", function (store) { store.put(item); });
  }

  function deleteItem(id) { return run("readwrite", function (store) { store.delete(id); }); }

  /* ---------- the form: fields and blocks ---------- */
  function named(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.type !== "submit" && el.type !== "button" && el.name !== "csrf_token";
    });
  }

  function collectFields(form) {
    var fields = {};
    named(form).forEach(function (el) {
      if (el.type === "checkbox") {
        fields[el.name] = fields[el.name] || [];
        if (el.checked) fields[el.name].push(el.value);
      } else {
        fields[el.name] = el.value;
      }
    });
    var project = form.querySelector("#project_id");
    if (project && project.selectedIndex >= 0) fields.project_label = project.options[project.selectedIndex].text;
    return fields;
  }

  function blockCount(form, kind) {
    return form.querySelectorAll("[data-blocks=" + kind + "] [data-block]").length;
  }

  function addBlock(form, kind) {
    var box = form.querySelector("[data-blocks=" + kind + "]");
    var blocks = box.querySelectorAll("[data-block]");
    if (blocks.length >= 30) return null;
    var n = blocks.length, pattern = new RegExp("^" + kind + "-\\d+-");
    var block = blocks[n - 1].cloneNode(true);
    block.querySelectorAll("[name],[id],[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(pattern, kind + "-" + n + "-"));
      });
    });
    block.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.type === "checkbox") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    });
    block.querySelectorAll(".error, .thumb").forEach(function (el) { el.remove(); });
    block.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    var uuidInput = block.querySelector("[name$=client_uuid]");
    if (uuidInput) uuidInput.value = uuid4();
    var title = block.querySelector("h3");
    if (title) title.textContent = title.textContent.replace(/\d+/, String(n + 1));
    box.appendChild(block);
    return block;
  }

  function fillFields(form, fields) {
    named(form).forEach(function (el) {
      if (!(el.name in fields)) return;
      if (el.type === "checkbox") el.checked = fields[el.name].indexOf(el.value) !== -1;
      else if (el.name === "project_id") selectProject(form, fields.project_id, fields.project_label);
      else el.value = fields[el.name];
    });
  }

  function remoteGroup(form) {
    var select = form.querySelector("#project_id");
    var group = select.querySelector("optgroup[data-remote]");
    if (!group) {
      group = document.createElement("optgroup");
      group.label = form.dataset.textOthers;
      group.dataset.remote = "1";
      select.appendChild(group);
    }
    return group;
  }

  function selectProject(form, id, label) {
    var select = form.querySelector("#project_id");
    if (!id) return;
    if (!select.querySelector("option[value='" + id + "']")) {
      var option = new Option(label || id, id);
      remoteGroup(form).appendChild(option);
    }
    select.value = id;
  }

  /* ---------- the form: photos as Blobs ---------- */
  function thumbFor(form, draft, photo) {
    var input = form.querySelector("input[type=file][name='" + photo.field + "']");
    if (!input || !photo.blob) return;
    var box = input.closest("[data-photo-picker]").querySelector(".thumbs");
    var figure = document.createElement("figure");
    figure.className = "thumb pending";
    figure.dataset.photo = photo.uuid;
    var img = document.createElement("img");
    img.alt = photo.name;
    img.src = URL.createObjectURL(photo.blob);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary";
    remove.textContent = form.dataset.textRemove;
    remove.addEventListener("click", function () {
      draft.photos = draft.photos.filter(function (p) { return p.uuid !== photo.uuid; });
      figure.remove();
      saveNow(form, draft);
    });
    figure.appendChild(img);
    figure.appendChild(remove);
    box.appendChild(figure);
  }

  function takePhotos(form, draft, input) {
    var shrink = window.InspectShrink || function (f) { return Promise.resolve(f); };
    var files = Array.prototype.slice.call(input.files);
    input.value = "";
    var picker = input.closest("[data-photo-picker]");
    picker.dataset.busy = "1";
    return Promise.all(files.map(shrink)).then(function (shrunk) {
      shrunk.forEach(function (file) {
        var photo = { uuid: uuid4(), field: input.name, name: file.name, blob: file, done: false };
        draft.photos.push(photo);
        thumbFor(form, draft, photo);
      });
      delete picker.dataset.busy;
      return saveNow(form, draft);
    });
  }

  /* ---------- the form: saving, restoring, submitting ---------- */
  function saveNow(form, draft) {
    draft.fields = collectFields(form);
    draft.counts = { problems: blockCount(form, "problems"), suggestions: blockCount(form, "suggestions") };
    var status = form.querySelector("[data-draft-status]");
    return putItem(draft).then(function () {
      if (status) status.textContent = form.dataset.textSaved + " · " + new Date().toLocaleTimeString();
    });
  }

  /* A new draft gets new UUIDs (a page kept by the service worker carries old ones), except
   * after Back: the browser shows the form as it was sent, and its UUIDs make a resubmission
   * the same record on the server. */
  function freshDraft(form, sent) {
    form.querySelectorAll("[name$=client_uuid]").forEach(function (el) {
      el.value = (sent && sent.uuids[el.name]) || uuid4();
    });
    return { uuid: form.querySelector("[name=client_uuid]").value, userId: userId, state: "draft",
             photos: [], attempts: 0, createdAt: Date.now() };
  }

  function sentBeforeBack() {
    var nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    var last = sessionStorage.getItem("inspect-queued");
    if (!nav || nav.type !== "back_forward" || !last) return Promise.resolve(null);
    return getItem(last).then(function (item) { return item && item.uuids ? item : null; });
  }

  function restore(form, draft) {
    ["problems", "suggestions"].forEach(function (kind) {
      var wanted = (draft.counts || {})[kind] || 1;
      while (blockCount(form, kind) < wanted && addBlock(form, kind)) { /* add */ }
    });
    fillFields(form, draft.fields || {});
    draft.photos.forEach(function (photo) { thumbFor(form, draft, photo); });
    var status = form.querySelector("[data-draft-status]");
    status.textContent = form.dataset.textRestored + " · " + new Date(draft.updatedAt).toLocaleString();
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary";
    discard.textContent = form.dataset.textDiscard;
    discard.addEventListener("click", function () {
      deleteItem(draft.uuid).then(function () { location.replace(location.pathname); });
    });
    status.after(discard);
  }

  function findDraft() {
    var wanted = new URLSearchParams(location.search).get("draft");
    if (wanted) return getItem(wanted);
    return allItems().then(function (items) {
      return items.filter(function (i) { return i.state === "draft"; })[0] || null;
    });
  }

  /* Why the server did not take this record, above the form the user is fixing it in. */
  function showRefusal(form, message) {
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = form.dataset.textRefusedBecause + message;
    form.insertBefore(p, form.firstChild);
    p.scrollIntoView({ block: "center" });
  }

  function showError(form, field, message) {
    var box = field.closest(".field") || field.parentNode;
    box.classList.add("has-error");
    var p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    box.appendChild(p);
  }

  function check(form, draft) {
    form.querySelectorAll("p.error").forEach(function (el) { el.remove(); });
    var fields = collectFields(form), bad = [];
    function need(ok, selector, text) {
      var el = form.querySelector(selector);
      if (!ok && el) { showError(form, el, text); bad.push(el); }
    }
    need(fields.project_id, "#project_id", form.dataset.textNeedProject);
    need(fields.visited_on, "#visited_on", form.dataset.textNeedDate);
    need((fields.summary || "").trim(), "#summary", form.dataset.textNeedSummary);
    need((fields.attendee_ids || []).length, "fieldset.checklist", form.dataset.textNeedAttendee);
    for (var i = 0; i < blockCount(form, "problems"); i++) {
      var p = "problems-" + i + "-";
      var hasPhotos = draft.photos.some(function (ph) { return ph.field === p + "photos"; });
      var used = (fields[p + "suggestion"] || "").trim() || hasPhotos;
      need((fields[p + "description"] || "").trim() || !used, "#" + p + "description", form.dataset.textNeedDescription);
      need(!(fields[p + "description"] || "").trim() || fields[p + "category"], "#" + p + "category", form.dataset.textNeedCategory);
    }
    if (bad.length) bad[0].scrollIntoView({ block: "center" });
    return !bad.length;
  }

  function visitBody(fields, counts) {
    var body = {
      client_uuid: fields.client_uuid, group_id: Number(fields.group_id),
      project_id: Number(fields.project_id), visited_on: fields.visited_on,
      summary: fields.summary, attendee_ids: (fields.attendee_ids || []).map(Number),
      problems: [], suggestions: []
    };
    for (var i = 0; i < counts.problems; i++) {
      var p = "problems-" + i + "-";
      if ((fields[p + "description"] || "").trim()) {
        body.problems.push({ client_uuid: fields[p + "client_uuid"], category: fields[p + "category"],
                             description: fields[p + "description"], suggestion: fields[p + "suggestion"] || "" });
      }
    }
    for (var j = 0; j < counts.suggestions; j++) {
      var s = "suggestions-" + j + "-";
      if ((fields[s + "text"] || "").trim()) body.suggestions.push({ client_uuid: fields[s + "client_uuid"], text: fields[s + "text"] });
    }
    return body;
  }

  function photoTargets(draft) {
    var fields = draft.fields;
    draft.photos.forEach(function (photo) {
      var match = /^problems-(\d+)-photos$/.exec(photo.field);
      photo.target = match ? "/api/v1/problems/" + fields["problems-" + match[1] + "-client_uuid"] + "/photos"
                           : "/api/v1/visits/" + draft.uuid + "/photos";
    });
  }

  function queue(form, draft) {
    if (!check(form, draft)) return;
    draft.fields = collectFields(form);
    draft.counts = { problems: blockCount(form, "problems"), suggestions: blockCount(form, "suggestions") };
    draft.body = visitBody(draft.fields, draft.counts);
    photoTargets(draft);
    draft.uuids = {};
    Object.keys(draft.fields).forEach(function (name) {
      if (/client_uuid$/.test(name)) draft.uuids[name] = draft.fields[name];
    });
    try { sessionStorage.setItem("inspect-queued", draft.uuid); } catch (e) { /* private mode */ }
    draft.state = "waiting";
    draft.visitStored = false;  // a fixed, already created visit is sent again as an update
    draft.message = "";
    draft.attempts = 0;
    draft.nextTry = 0;
    putItem(draft).then(function () { location.href = "/#outbox"; });
  }

  function searchProjects(form, words, page) {
    var group = remoteGroup(form), select = form.querySelector("#project_id");
    if (page === 1) {
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (o) { if (!o.selected) o.remove(); });
    }
    Array.prototype.forEach.call(select.querySelectorAll("optgroup:not([data-remote]) option"), function (o) {
      o.hidden = !!words && o.text.indexOf(words) === -1 && !o.selected;
    });
    var more = form.querySelector("[data-more-projects]");
    if (more) more.remove();
    if (!words || !navigator.onLine) return;
    var url = form.dataset.apiProjects + "?q=" + encodeURIComponent(words) + "&page=" + page;
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      data.items.forEach(function (p) {
        if (!select.querySelector("option[value='" + p.id + "']")) group.appendChild(new Option(p.name + "（" + (p.town || "") + "）", p.id));
      });
      if (data.page < data.pages) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.dataset.moreProjects = "1";
        button.textContent = form.dataset.textMore;
        button.addEventListener("click", function () { searchProjects(form, words, page + 1); });
        select.closest(".field").appendChild(button);
      }
    }).catch(function () { /* offline: the group's own projects stay listed */ });
  }

  /* Another group chosen: its members and own projects from the reference lists, which the
   * service worker keeps, so this works with no network too. */
  function switchGroup(form, groupId, keep) {
    return fetch("/api/v1/reference", { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (reference) {
      var group = reference && reference.groups.filter(function (g) { return String(g.id) === String(groupId); })[0];
      if (!group) return;
      var list = form.querySelector("fieldset.checklist");
      list.querySelectorAll("label").forEach(function (label) { label.remove(); });
      var checked = keep ? keep.attendee_ids || [] : [];
      group.members.forEach(function (member) {
        var label = document.createElement("label"), box = document.createElement("input");
        box.type = "checkbox"; box.name = "attendee_ids"; box.value = member.id;
        box.checked = checked.indexOf(String(member.id)) !== -1;
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + member.name));
        list.insertBefore(label, list.querySelector(".error"));
      });
      var select = form.querySelector("#project_id");
      select.textContent = "";
      var own = document.createElement("optgroup");
      own.label = form.dataset.textOwn;
      group.projects.forEach(function (p) { own.appendChild(new Option(p.name + "（" + (p.town || "") + "）", p.id)); });
      select.appendChild(own);
      if (keep && keep.project_id) selectProject(form, keep.project_id, keep.project_label);
    }).catch(function () { /* not kept yet: the page's own lists stay */ });
  }

  function enhanceForm(form) {
    Promise.all([findDraft(), sentBeforeBack()]).then(function (found) {
      var draft = found[0] && found[0].state !== "sending" && found[0].state !== "sent" ? found[0] : null;
      if (draft) {
        restore(form, draft);
        if (draft.state === "refused" && draft.message) showRefusal(form, draft.message);
        if (draft.state !== "draft") { draft.state = "draft"; putItem(draft); }
      } else {
        draft = freshDraft(form, found[1]);  // after Back: the sent record's UUIDs
      }
      var timer;
      form.addEventListener("input", function (event) {
        if (event.target.type === "file") return;
        clearTimeout(timer);
        timer = setTimeout(function () { saveNow(form, draft); }, 300);
      });
      form.addEventListener("change", function (event) {
        if (event.target.type === "file") takePhotos(form, draft, event.target);
        else if (event.target.id === "group_id") switchGroup(form, event.target.value).then(function () { saveNow(form, draft); });
        else saveNow(form, draft);
      });
      var groupSelect = form.querySelector("select#group_id");
      var pageGroup = groupSelect ? groupSelect.querySelector("option[selected]") : null;
      if (draft.fields && groupSelect && pageGroup && draft.fields.group_id !== pageGroup.value) {
        switchGroup(form, draft.fields.group_id, draft.fields);  // a draft made for another group
      }
      window.addEventListener("pagehide", function () { clearTimeout(timer); saveNow(form, draft); });
      var query = form.querySelector("[data-project-filter]"), searchTimer;
      if (query) {
        query.addEventListener("input", function () {
          clearTimeout(searchTimer);
          searchTimer = setTimeout(function () { searchProjects(form, query.value.trim(), 1); }, 300);
        });
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var action = event.submitter ? event.submitter.value : "save";
        if (action === "add_problem" || action === "add_suggestion") {
          var block = addBlock(form, action === "add_problem" ? "problems" : "suggestions");
          if (block) { block.querySelector("textarea").focus(); saveNow(form, draft); }
        } else if (action === "search_project") {
          searchProjects(form, query.value.trim(), 1);
        } else if (form.querySelector("[data-photo-picker][data-busy]")) {
          setTimeout(function () { form.requestSubmit(event.submitter); }, 300);  // photos shrinking
        } else {
          queue(form, draft);
        }
      });
      form.dataset.offlineReady = "1";
    });
  }

  /* ---------- the send queue ---------- */
  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function sendJson(method, url, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, JSON_TIMEOUT);
    return fetch(url, {
      method: method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      clearTimeout(timer);
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }, function () { clearTimeout(timer); return { status: 0, data: {} }; });
  }

  function sendPhoto(item, photo) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest(), form = new FormData();
      form.append("client_uuid", photo.uuid);
      form.append("file", photo.blob, photo.name || "photo.jpg");
      xhr.open("POST", photo.target);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.timeout = PHOTO_TIMEOUT;
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { live[item.uuid] = e.loaded / e.total; showProgress(item); }
      };
      xhr.onload = function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (err) { /* not JSON */ }
        resolve({ status: xhr.status, data: data });
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { resolve({ status: 0, data: {} }); };
      xhr.send(form);
    });
  }

  /* What an answer means for the item: "ok", "retry" (the network or the server failed) or "refused". */
  function verdict(answer) {
    if (answer.status >= 200 && answer.status < 300) return "ok";
    if (answer.status === 0 || answer.status >= 500 || answer.status === 401) return "retry";
    if (answer.status === 400 && answer.data.error === "400") return "retry";  // stale page token
    return "refused";
  }

  function describe(answer) {
    var data = answer.data || {};
    var text = data.message || "";
    if (data.details && data.details.length) text += "（" + data.details.join("；") + "）";
    return text;
  }

  function sendItem(item) {
    live[item.uuid] = 0;
    return update(item.uuid, function (it) { if (it) it.state = "sending"; return it; }).then(function (it) {
      if (!it) return null;
      render();
      var step = it.visitStored ? Promise.resolve({ status: 200, data: { url: it.visitUrl } })
        : sendJson(it.created ? "PUT" : "POST", it.created ? "/api/v1/visits/" + it.uuid : "/api/v1/visits",
                   it.created ? withoutKeys(it.body) : it.body);
      return step.then(function (answer) {
        var result = verdict(answer);
        if (result !== "ok") return finish(it, result, answer);
        return update(it.uuid, function (x) { x.visitStored = true; x.created = true; x.visitUrl = answer.data.url; return x; })
          .then(function (x) { return sendPhotos(x); });
      });
    });
  }

  function withoutKeys(body) {
    var copy = JSON.parse(JSON.stringify(body));
    delete copy.client_uuid; delete copy.group_id;
    return copy;
  }

  function sendPhotos(item) {
    var next = item.photos.filter(function (p) { return !p.done; })[0];
    if (!next) return finish(item, "ok");
    live[item.uuid] = 0;
    return sendPhoto(item, next).then(function (answer) {
      var result = verdict(answer);
      if (result !== "ok") return finish(item, result, answer);
      return update(item.uuid, function (x) {
        x.photos.forEach(function (p) { if (p.uuid === next.uuid) { p.done = true; p.blob = null; } });
        return x;
      }).then(function (x) { live[item.uuid] = 0; showProgress(x); return sendPhotos(x); });
    });
  }

  function finish(item, result, answer) {
    delete live[item.uuid];
    return update(item.uuid, function (x) {
      if (!x) return x;
      if (result === "ok") {
        x.state = "sent"; x.sentAt = Date.now(); x.message = "";
        x.photoCount = x.photos.length; x.photos = []; x.fields = null;  // confirmed: the draft goes
      } else if (result === "retry") {
        x.state = "waiting"; x.attempts = (x.attempts || 0) + 1;
        x.nextTry = Date.now() + Math.min(MAX_WAIT, 5000 * Math.pow(2, x.attempts - 1));
        x.message = describe(answer);
      } else {
        x.state = "refused"; x.message = describe(answer) || String(answer.status);
      }
      return x;
    });
  }

  var flushing = false, wakeTimer = null;
  function flush() {
    if (flushing || !userId || !window.indexedDB) return Promise.resolve();
    flushing = true;
    function work() {
      return allItems().then(function (items) {
        var now = Date.now();
        var due = items.filter(function (i) {
          return i.state === "sending" || (i.state === "waiting" && (i.nextTry || 0) <= now);
        });
        return due.reduce(function (chain, item) { return chain.then(function () { return sendItem(item); }); }, Promise.resolve());
      });
    }
    var done = navigator.locks
      ? navigator.locks.request(LOCK, { ifAvailable: true }, function (lock) { return lock ? work() : null; })
      : work();
    return done.catch(function () { /* kept on the phone for the next try */ }).then(function () {
      flushing = false;
      render();
      wakeLater();
    });
  }

  function wakeLater() {
    allItems().then(function (items) {
      var times = items.filter(function (i) { return i.state === "waiting"; }).map(function (i) { return i.nextTry || 0; });
      clearTimeout(wakeTimer);
      if (times.length) wakeTimer = setTimeout(flush, Math.max(1000, Math.min.apply(null, times) - Date.now()));
    });
  }

  /* ---------- showing the queue ---------- */
  function showProgress(item) {
    var bar = document.querySelector("[data-outbox-item='" + item.uuid + "'] progress");
    if (!bar || !item.photos) return;
    var done = item.photos.filter(function (p) { return p.done; }).length;
    bar.max = item.photos.length + 1;
    bar.value = 1 + done + (live[item.uuid] || 0);
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function outboxEntry(box, item) {
    var t = box.dataset, li = element("li", "card outbox-item state-" + item.state);
    li.dataset.outboxItem = item.uuid;
    li.dataset.state = item.state;
    var title = ((item.fields && item.fields.summary) || (item.body && item.body.summary) || item.summary || t.textUntitled);
    li.appendChild(element("strong", "", title.slice(0, 40)));
    var stateText = { draft: t.textDraft, waiting: t.textWaiting, sending: t.textSending, sent: t.textSent, refused: t.textRefused }[item.state];
    var photos = item.state === "sent" ? item.photoCount || 0 : (item.photos || []).length;
    li.appendChild(element("span", "muted", stateText + " · " + t.textPhotos + " " + photos + " · " + new Date(item.updatedAt).toLocaleString()));
    if (item.state === "sending") { var bar = element("progress"); li.appendChild(bar); }
    if (item.message && item.state !== "sent") li.appendChild(element("p", item.state === "refused" ? "error" : "hint", item.message));
    if (item.state === "draft" || item.state === "refused") {
      var edit = element("a", "button secondary", item.state === "draft" ? t.textContinue : t.textFix);
      edit.href = "/visits/new?draft=" + encodeURIComponent(item.uuid);
      li.appendChild(edit);
    } else if (item.state === "sent" && item.visitUrl) {
      var view = element("a", "button secondary", t.textView);
      view.href = item.visitUrl;
      li.appendChild(view);
    } else if (item.state === "waiting") {
      var retry = element("button", "secondary", t.textRetry);
      retry.type = "button";
      retry.addEventListener("click", function () {
        update(item.uuid, function (x) { if (x && x.state === "waiting") x.nextTry = 0; return x; }).then(flush);
      });
      li.appendChild(retry);
    }
    return li;
  }

  function render() {
    if (!userId || !window.indexedDB) return Promise.resolve();
    return allItems().then(function (items) {
      var old = Date.now() - 24 * 3600 * 1000;
      items.filter(function (i) { return i.state === "sent" && i.sentAt < old; }).forEach(function (i) { deleteItem(i.uuid); });
      items = items.filter(function (i) { return !(i.state === "sent" && i.sentAt < old); });
      var pending = items.filter(function (i) { return i.state in QUEUED; }).length;
      var banner = document.querySelector("[data-outbox-banner]");
      if (banner) {
        banner.hidden = !pending || !!document.querySelector("[data-outbox]");
        banner.querySelector("a").textContent = banner.dataset.text.replace("{n}", pending);
      }
      var box = document.querySelector("[data-outbox]");
      if (!box) return;
      var list = box.querySelector("[data-outbox-list]");
      list.textContent = "";
      items.forEach(function (item) { list.appendChild(outboxEntry(box, item)); showProgress(item); });
      box.hidden = !items.length;
      box.querySelector("[data-outbox-summary]").textContent = banner && pending ? banner.querySelector("a").textContent : "";
      box.dataset.pending = String(pending);
    });
  }

  /* ---------- start ---------- */
  function start() {
    if ("serviceWorker" in navigator && userId) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no SW: pages still work */ });
    }
    if (!userId && window.caches) caches.delete("inspect-pages");  // logged out: forget the user's pages
    if (!window.indexedDB || !userId) return;
    var form = document.querySelector("form[data-offline]");
    if (form) enhanceForm(form);
    render().then(flush);
    window.addEventListener("online", function () {
      allItems().then(function (items) {
        return Promise.all(items.filter(function (i) { return i.state === "waiting"; }).map(function (i) {
          return update(i.uuid, function (x) { x.nextTry = 0; return x; });
        }));
      }).then(flush);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
