// The Markdown writing surface (docs/authoring.md): a toolbar above every textarea marked
// data-markdown-editor, a live preview beside it, and dialogs for call-out boxes and pictures.
// The toolbar is GitHub's <markdown-toolbar> (lms/static/vendor/markdown-toolbar-element/, loaded
// just before this module): it keeps the native textarea, so screen readers, the keyboard, undo
// and the browser's spell checker all keep working. The markup and every text come from the page
// (lms/templates/macros/markdown_editor.html); without JavaScript the textarea stays as it is.
const config = document.querySelector("[data-markdown-config]");
const areas = document.querySelectorAll("textarea[data-markdown-editor]");

if (config && areas.length && window.customElements.get("markdown-toolbar")) {
  const dialogs = config.querySelector("template[data-markdown-dialogs]").content.cloneNode(true);
  document.body.appendChild(dialogs);
  const calloutDialog = document.querySelector("dialog[data-dialog=callout]");
  const imageDialog = document.querySelector("dialog[data-dialog=image]");
  let active = null; // {textarea, button} the open dialog inserts into

  // ------------------------------------------------------------------ inserting text

  // Replace the selection of `textarea` with `text` as typing would (so undo works and the
  // page's "unsaved changes" warning and the preview hear an input event), then select the
  // characters [selectFrom, selectTo) of the inserted text.
  function insert(textarea, text, selectFrom, selectTo) {
    textarea.focus();
    const start = textarea.selectionStart;
    const before = textarea.value;
    let done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (err) {
      done = false;
    }
    if (!done || textarea.value === before) {
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) {
      textarea.setSelectionRange(start + selectFrom, start + (selectTo === undefined ? selectFrom : selectTo));
    }
  }

  // Blank lines around a block so that it never sticks to the paragraph before or after it.
  function asBlock(textarea, block) {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const after = textarea.value.slice(textarea.selectionEnd);
    let lead = "";
    if (before.length && !before.endsWith("\n\n")) { lead = before.endsWith("\n") ? "\n" : "\n\n"; }
    let tail = "\n";
    if (after.length && !after.startsWith("\n")) { tail = "\n\n"; } else if (after.startsWith("\n\n")) { tail = ""; }
    return { lead, text: lead + block + tail };
  }

  function selectedText(textarea) {
    return textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
  }

  // ------------------------------------------------------------------ table, call-out, picture

  function insertTable(textarea) {
    const [col1, col2, cell] = config.dataset.table.split("|");
    const block = `| ${col1} | ${col2} |\n| --- | --- |\n| ${cell} | ${cell} |\n| ${cell} | ${cell} |`;
    const { lead, text } = asBlock(textarea, block);
    insert(textarea, text, lead.length + 2, lead.length + 2 + col1.length);
  }

  function openDialog(dialog, textarea, button) {
    active = { textarea, button, selection: [textarea.selectionStart, textarea.selectionEnd] };
    dialog.showModal();
  }

  function closeDialog(dialog, inserted) {
    dialog.close();
    const target = active;
    active = null;
    if (!target) { return; }
    if (!inserted) {
      (target.button || target.textarea).focus();
    }
  }

  function restoreSelection() {
    active.textarea.focus();
    active.textarea.setSelectionRange(active.selection[0], active.selection[1]);
  }

  calloutDialog.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!event.submitter || event.submitter.value !== "insert" || !active) {
      closeDialog(calloutDialog, false);
      return;
    }
    const form = event.target;
    const kind = form.elements.kind.value;
    const heading = form.elements.heading.value.trim().replace(/"/g, "'");
    const textarea = active.textarea;
    restoreSelection();
    const chosen = selectedText(textarea).trim();
    const body = chosen || config.dataset.calloutText;
    const first = `!!! ${kind}${heading ? ` "${heading}"` : ""}\n`;
    const indented = body.split("\n").map((line) => (line ? `    ${line}` : "")).join("\n");
    const { lead, text } = asBlock(textarea, first + indented);
    const bodyStart = lead.length + first.length + 4;
    closeDialog(calloutDialog, true);
    insert(textarea, text, bodyStart, chosen ? undefined : bodyStart + body.length);
    form.reset();
  });

  const imageForm = imageDialog.querySelector("form");
  const imageList = imageDialog.querySelector("[data-image-list]");
  const imageError = imageDialog.querySelector("[data-image-error]");
  const imageStatus = imageDialog.querySelector("[data-image-status]");
  const altInput = imageForm.elements.alt;
  const message = (name) => imageDialog.querySelector(`[data-message-${name}]`).textContent;

  function showImageError(text, field) {
    imageError.textContent = text;
    imageStatus.textContent = "";
    if (field) {
      field.setAttribute("aria-invalid", "true");
      const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== "md-image-error");
      field.setAttribute("aria-describedby", ids.concat("md-image-error").join(" "));
      field.focus();
    }
  }

  imageError.id = "md-image-error";

  function clearImageError() {
    imageError.textContent = "";
    altInput.removeAttribute("aria-invalid");
    altInput.setAttribute("aria-describedby", "md-image-alt-desc");
  }

  function addPicture(image, checked) {
    const item = imageForm.querySelector("template[data-image-item]").content.cloneNode(true);
    const radio = item.querySelector("input");
    const label = item.querySelector("label");
    const id = `md-picture-${imageList.children.length + 1}`;
    radio.id = id;
    radio.value = image.src;
    radio.checked = Boolean(checked);
    label.htmlFor = id;
    label.querySelector("img").src = image.url;
    label.querySelector("span").textContent = image.name;
    imageList.appendChild(item);
  }

  async function loadPictures() {
    const loading = imageDialog.querySelector("[data-image-loading]");
    const empty = imageDialog.querySelector("[data-image-empty]");
    imageList.replaceChildren();
    loading.hidden = false;
    empty.hidden = true;
    try {
      const response = await fetch(config.dataset.mediaUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) { throw new Error(String(response.status)); }
      const { images } = await response.json();
      images.forEach((image) => addPicture(image, false));
      empty.hidden = images.length > 0;
    } catch (err) {
      showImageError(message("failed"));
    } finally {
      loading.hidden = true;
    }
  }

  imageDialog.querySelector("[data-image-upload]").addEventListener("click", async () => {
    const input = imageDialog.querySelector("#md-image-upload");
    clearImageError();
    if (!input.files.length) {
      showImageError(message("nofile"), input);
      return;
    }
    const body = new FormData();
    body.append("file", input.files[0]);
    try {
      const response = await fetch(config.dataset.mediaUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": config.dataset.csrf, Accept: "application/json" },
      });
      const answer = await response.json();
      if (!response.ok) {
        showImageError(answer.error || message("failed"), input);
        return;
      }
      imageDialog.querySelector("[data-image-empty]").hidden = true;
      imageList.querySelectorAll("input").forEach((radio) => { radio.checked = false; });
      addPicture(answer.image, true);
      input.value = "";
      imageStatus.textContent = message("uploaded");
      altInput.focus();
    } catch (err) {
      showImageError(message("failed"), input);
    }
  });

  imageForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!event.submitter || event.submitter.value !== "insert" || !active) {
      clearImageError();
      closeDialog(imageDialog, false);
      return;
    }
    const chosen = imageList.querySelector("input:checked");
    const alt = altInput.value.replace(/\s+/g, " ").trim();
    clearImageError();
    if (!chosen) {
      showImageError(message("choose"), imageList.querySelector("input") || imageDialog.querySelector("#md-image-upload"));
      return;
    }
    if (!alt) {
      showImageError(message("alt"), altInput);
      return;
    }
    const textarea = active.textarea;
    restoreSelection();
    const markdown = `![${alt.replace(/([[\]\\])/g, "\\$1")}](${chosen.value})`;
    const { text } = asBlock(textarea, markdown);
    closeDialog(imageDialog, true);
    insert(textarea, text, text.length);
    imageForm.reset();
  });

  for (const dialog of [calloutDialog, imageDialog]) {
    dialog.addEventListener("cancel", (event) => {  // Escape
      event.preventDefault();
      clearImageError();
      closeDialog(dialog, false);
    });
  }

  // ------------------------------------------------------------------ live preview

  function livePreview(textarea, section) {
    const body = section.querySelector("[data-preview-body]");
    const failed = section.querySelector("[data-preview-error]");
    const titleField = textarea.form && textarea.form.elements.title;
    let timer = null;
    let controller = null;
    let shown = null;

    async function refresh() {
      const text = textarea.value;
      const title = titleField && titleField.value ? titleField.value : "";
      if (shown === text + "\u0000" + title) { return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      const form = new FormData();
      form.append("text", text);
      form.append("title", title);
      form.append("context", config.dataset.context);
      try {
        const response = await fetch(config.dataset.previewUrl, {
          method: "POST", body: form, credentials: "same-origin", signal: controller.signal,
          headers: { "X-CSRFToken": config.dataset.csrf },
        });
        if (!response.ok) { throw new Error(String(response.status)); }
        // Sanitised by the server (lms/content/render.py, the learner pages' own pipeline).
        body.innerHTML = await response.text();
        shown = text + "\u0000" + title;
        failed.hidden = true;
        section.removeAttribute("aria-busy");
      } catch (err) {
        if (err.name === "AbortError") { return; }
        failed.textContent = config.dataset.previewFailed;
        failed.hidden = false;
        section.removeAttribute("aria-busy");
      }
    }

    function later() {
      section.setAttribute("aria-busy", "true");
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    }

    textarea.addEventListener("input", later);
    if (titleField) { titleField.addEventListener("input", later); }
    refresh();
  }

  // ------------------------------------------------------------------ one editor per textarea

  let count = 0;
  areas.forEach((textarea) => {
    count += 1;
    if (!textarea.id) { textarea.id = `md-editor-${count}`; }
    const wrapper = document.createElement("div");
    wrapper.className = "md-editor";
    textarea.parentNode.insertBefore(wrapper, textarea);

    const parts = config.querySelector("template[data-markdown-toolbar]").content.cloneNode(true);
    const toolbar = parts.querySelector("markdown-toolbar");
    toolbar.setAttribute("for", textarea.id);
    toolbar.setAttribute("aria-controls", textarea.id);
    const keys = parts.querySelector(".md-editor__keys");
    keys.id = `${textarea.id}-keys`;
    wrapper.appendChild(parts);

    const panes = document.createElement("div");
    panes.className = "md-editor__panes";
    wrapper.appendChild(panes);
    panes.appendChild(textarea);
    const described = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", described ? `${described} ${keys.id}` : keys.id);

    // One Tab stop for the whole toolbar (WAI-ARIA toolbar pattern): the arrow keys move inside.
    const buttons = Array.from(toolbar.querySelectorAll("button"));
    toolbar.removeAttribute("tabindex");
    buttons.forEach((button, index) => button.setAttribute("tabindex", index === 0 ? "0" : "-1"));
    toolbar.addEventListener("focusin", (event) => {
      if (!buttons.includes(event.target)) { return; }
      buttons.forEach((button) => button.setAttribute("tabindex", button === event.target ? "0" : "-1"));
    });

    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-md-button]");
      if (!button) { return; }
      const style = button.dataset.mdButton;
      if (style === "table") {
        insertTable(textarea);
      } else if (style === "callout") {
        openDialog(calloutDialog, textarea, button);
      } else if (style === "picture") {
        clearImageError();
        imageStatus.textContent = "";
        openDialog(imageDialog, textarea, button);
        loadPictures().then(() => {
          // The list arrives after the dialog opened: start on its first picture.
          const first = imageList.querySelector("input");
          if (first && imageDialog.open && imageDialog.contains(document.activeElement)
              && document.activeElement.id === "md-image-upload") { first.focus(); }
        });
      }
    });

    textarea.addEventListener("keydown", (event) => {
      if (event.altKey && event.key === "F10") {
        event.preventDefault();
        (buttons.find((button) => button.getAttribute("tabindex") === "0") || buttons[0]).focus();
        return;
      }
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      const style = { b: "bold", i: "italic", k: "link" }[event.key.toLowerCase()];
      if (!style) { return; }
      event.preventDefault();
      toolbar.querySelector(`[data-md-button="${style}"]`).click();
    });

    if (config.dataset.previewUrl && textarea.dataset.markdownEditor !== "compact") {
      const preview = config.querySelector("template[data-markdown-preview]").content.cloneNode(true);
      const section = preview.querySelector("section");
      const heading = section.querySelector("h2");
      heading.id = `${textarea.id}-preview-heading`;
      section.setAttribute("aria-labelledby", heading.id);
      wrapper.classList.add("md-editor--preview");
      panes.appendChild(preview);
      livePreview(textarea, section);
    }
  });
}
