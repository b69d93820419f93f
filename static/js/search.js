/* Search as you type for filter fields that can name thousands of things (projects, people).
 * Progressive enhancement: without this file the field filters by the typed name.
 * <label data-search="/search/projects.json"> holds <input name="project">; picking a result
 * adds <input type="hidden" name="project_id">. The request carries the page's CSRF token. */
(function () {
  "use strict";
  var form = document.querySelector("[data-csrf]");
  var token = form ? form.getAttribute("data-csrf") : "";

  function enhance(label) {
    var input = label.querySelector("input[type=search]");
    if (!input) return;
    var name = input.name, url = label.getAttribute("data-search"), timer = null, asked = "";
    var list = document.createElement("ul");
    list.className = "search-results";
    list.id = "search-" + name;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    label.parentNode.insertBefore(list, label.nextSibling);
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-autocomplete", "list");

    function hidden() { return label.querySelector("input[name=" + name + "_id]"); }
    function choose(item) {
      var field = hidden();
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = name + "_id";
        label.appendChild(field);
      }
      field.value = item.id;
      input.value = item.name;
      list.hidden = true;
    }
    function show(results) {
      list.textContent = "";
      results.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("role", "option");
        button.textContent = item.detail ? item.name + "（" + item.detail + "）" : item.name;
        button.addEventListener("click", function () { choose(item); });
        li.appendChild(button);
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
    }
    function search() {
      var text = input.value.trim();
      if (text === asked) return;
      asked = text;
      if (!text) { show([]); return; }
      fetch(url + "?q=" + encodeURIComponent(text), {
        headers: { "X-CSRFToken": token, "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (answer) { if (answer.q === input.value.trim()) show(answer.results); })
        .catch(function () { show([]); });
    }
    input.addEventListener("input", function () {
      var field = hidden();
      if (field) field.remove();  /* typing again: the name decides until one is picked */
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") list.hidden = true;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-search]"), enhance);
})();
