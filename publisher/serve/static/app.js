// The clerk's page: builds the form of the chosen template, turns it into article data, and calls
// the service (validate, preview, render). Everything is saved in localStorage on every change.
"use strict";

const STORE = "publisher.page.v1";
const TEMPLATE_LABELS = {
  official: ["公文", "GB/T 9704-2012 公文格式：红色版头、22 行 × 28 字、标题自动编号、署名、版记、页码“— n —”。"],
  letter: ["信函", "GB/T 9704-2012 信函格式：版头距上边 30 mm、红色双线、首页不显示页码。"],
  report: ["报告", "工作报告、情况汇报：封面、目录、页眉、章节编号、图表题注与脚注。"],
  article: ["文章", "转载文章：页眉为发布单位，含导语、来源、整理与声明，页脚“第 N 页 共 M 页”。"],
};
const state = { template: "official", tab: "form", values: {}, paste: { kind: "text/yaml", text: "" } };
let templates = [];
let checkTimer = null;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// saving and restoring

function save() {
  try {
    localStorage.setItem(STORE, JSON.stringify(state));
  } catch (error) {
    setStatus("无法保存到本机浏览器：" + error.message, true);
  }
}

function restore() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE) || "null");
    if (saved && typeof saved === "object") Object.assign(state, saved);
  } catch (error) {
    localStorage.removeItem(STORE);
  }
}

// ---------------------------------------------------------------------------------------------
// the form

function fieldsOf(template) {
  return TEMPLATE_FIELDS[template] || TEMPLATE_FIELDS.article;
}

function fieldId(key) {
  return "field-" + key.replace(/[^a-z0-9]+/gi, "-");
}

function buildControl(field, value) {
  let control;
  if (field.kind === "select") {
    control = document.createElement("select");
    for (const option of field.options) {
      const element = document.createElement("option");
      element.value = option;
      element.textContent = (field.labels && field.labels[option]) || option || "（无）";
      control.append(element);
    }
  } else if (["textarea", "lines", "organs", "body"].includes(field.kind)) {
    control = document.createElement("textarea");
    control.rows = field.rows || 3;
  } else {
    control = document.createElement("input");
    control.type = field.kind === "date" ? "date" : field.kind === "number" ? "number" : "text";
    if (field.kind === "number") control.min = "0";
  }
  control.id = fieldId(field.key);
  control.name = field.key;
  control.value = value || "";
  control.dataset.key = field.key;
  if (field.required) control.required = true;
  control.addEventListener("input", () => {
    state.values[state.template] = state.values[state.template] || {};
    state.values[state.template][field.key] = control.value;
    save();
    scheduleCheck();
  });
  return control;
}

function buildForm() {
  const container = $("fields");
  container.replaceChildren();
  const values = state.values[state.template] || {};
  let group = container;
  for (const field of fieldsOf(state.template)) {
    if (field.group) {
      group = document.createElement("fieldset");
      group.className = "group";
      const legend = document.createElement("legend");
      legend.textContent = field.group;
      group.append(legend);
      container.append(group);
      continue;
    }
    const wrapper = document.createElement("div");
    wrapper.className = "field" + (field.width === "narrow" ? " narrow" : "");
    const label = document.createElement("label");
    label.className = "label";
    label.htmlFor = fieldId(field.key);
    label.textContent = field.label + (field.required ? " *" : "");
    const control = buildControl(field, values[field.key]);
    wrapper.append(label, control);
    if (field.hint) {
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = field.hint;
      wrapper.append(hint);
    }
    const message = document.createElement("span");
    message.className = "message";
    message.id = control.id + "-message";
    control.setAttribute("aria-describedby", message.id);
    wrapper.append(message);
    group.append(wrapper);
  }
}

function setNested(target, key, value) {
  const parts = key.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] = node[part] || {};
  node[parts[parts.length - 1]] = value;
}

function bodyBlocks(text) {
  const blocks = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const heading = line.match(/^(#{1,6})\s*(.+)$/);
    if (heading) blocks.push({ type: "heading", level: Math.min(heading[1].length, 4), text: heading[2].trim() });
    else blocks.push(line);
  }
  return blocks;
}

function lines(text, separators) {
  return text.split(separators).map((item) => item.trim()).filter(Boolean);
}

// The article data of the form: empty fields are left out, lists and body parsed from their lines.
function formArticle() {
  const article = {};
  const values = state.values[state.template] || {};
  for (const field of fieldsOf(state.template)) {
    if (field.group) continue;
    const raw = (values[field.key] || "").trim();
    if (!raw) continue;
    let value = raw;
    if (field.kind === "lines") value = lines(raw, /[\n、]/);
    else if (field.kind === "organs") value = lines(raw, /\n/).length > 1 ? lines(raw, /\n/) : raw;
    else if (field.kind === "body") value = bodyBlocks(raw);
    else if (field.kind === "number") value = Number(raw);
    setNested(article, field.key, value);
  }
  if (article.title === undefined) article.title = "";
  return article;
}

// The request body and its type: the form as JSON, or the pasted text as it is.
function requestBody() {
  if (state.tab === "paste") return { type: state.paste.kind, body: state.paste.text };
  return { type: "application/json", body: JSON.stringify(formArticle()) };
}

// ---------------------------------------------------------------------------------------------
// problems beside their fields

function controlFor(path) {
  const keys = new Set(fieldsOf(state.template).filter((f) => !f.group).map((f) => f.key));
  let key = path;
  while (key) {
    if (keys.has(key)) return document.getElementById(fieldId(key));
    const shorter = key.replace(/(\[\d+\]|\.[^.[\]]+)$/, "");
    if (shorter === key) break;
    key = shorter;
  }
  return null;
}

function describeWhere(path) {
  const paragraph = path.match(/^body\[(\d+)\]/);
  if (paragraph) return `第 ${Number(paragraph[1]) + 1} 段：`;
  const item = path.match(/\[(\d+)\]$/);
  return item ? `第 ${Number(item[1]) + 1} 项：` : "";
}

function clearProblems() {
  for (const message of document.querySelectorAll(".message")) message.textContent = "";
  for (const control of document.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  $("problems").hidden = true;
  $("problems").replaceChildren();
}

function showProblems(problems) {
  clearProblems();
  const general = [];
  for (const problem of problems) {
    const text = chineseMessage(problem);
    const control = state.tab === "form" ? controlFor(problem.path) : null;
    if (control) {
      const message = $(control.id + "-message");
      const line = document.createElement("span");
      line.textContent = describeWhere(problem.path) + text;
      line.title = `${problem.path}: expected ${problem.expected}${problem.found ? ", got " + problem.found : ""}`;
      message.append(line);
      control.setAttribute("aria-invalid", "true");
    } else {
      general.push(`${problem.path || "文本"}：${text}`);
    }
  }
  if (general.length) {
    const list = document.createElement("ul");
    for (const text of general) {
      const item = document.createElement("li");
      item.textContent = text;
      list.append(item);
    }
    $("problems").append(list);
    $("problems").hidden = false;
  }
}

// ---------------------------------------------------------------------------------------------
// calling the service

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

async function call(path, params = {}) {
  const { type, body } = requestBody();
  const query = new URLSearchParams({ template: state.template, ...params });
  return fetch(`${path}?${query}`, { method: "POST", headers: { "Content-Type": type }, body });
}

async function failure(response) {
  let detail;
  try {
    detail = await response.json();
  } catch (error) {
    detail = { message: response.statusText, problems: [] };
  }
  if (response.status === 422 || response.status === 400) {
    showProblems(detail.problems || []);
    return "请按提示修改后再试。";
  }
  if (response.status === 503) return `服务正忙，请 ${response.headers.get("Retry-After") || "几"} 秒后再试。`;
  if (response.status === 504) return "排版超时，文档可能过长。";
  if (response.status === 413) return "内容过大。";
  return `出错了（${response.status}）：${detail.message || ""}`;
}

async function check() {
  const response = await call("validate");
  if (!response.ok) {
    setStatus(await failure(response), true);
    return false;
  }
  const result = await response.json();
  showProblems(result.problems);
  setStatus(result.valid ? "检查通过。" : `有 ${result.problems.length} 处需要修改。`, !result.valid);
  return result.valid;
}

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => check().catch(() => {}), 800);
}

async function preview() {
  setStatus("正在排版预览……");
  const response = await call("preview");
  if (!response.ok) {
    setStatus(await failure(response), true);
    return;
  }
  clearProblems();
  const result = await response.json();
  const pages = $("pages");
  pages.replaceChildren();
  result.images.forEach((source, index) => {
    const image = document.createElement("img");
    image.src = source;
    image.alt = `第 ${index + 1} 页`;
    image.className = "page";
    pages.append(image);
  });
  const shown = result.images.length < result.pages ? `，显示前 ${result.images.length} 页` : "";
  $("page-count").textContent = `共 ${result.pages} 页${shown}`;
  setStatus(result.warnings.length ? "预览完成。提示：" + result.warnings.join("；") : "预览完成。");
}

function fileName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const encoded = header.match(/filename\*=UTF-8''([^;]+)/i);
  if (encoded) return decodeURIComponent(encoded[1]);
  const plain = header.match(/filename="([^"]+)"/i);
  return plain ? plain[1] : fallback;
}

async function download(format) {
  setStatus(`正在生成 ${format.toUpperCase()}……`);
  const response = await call("render", { format });
  if (!response.ok) {
    setStatus(await failure(response), true);
    return;
  }
  clearProblems();
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName(response, `document.${format}`);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  setStatus(`已下载 ${link.download}`);
}

function guarded(action) {
  return async () => {
    for (const button of document.querySelectorAll(".actions button")) button.disabled = true;
    try {
      await action();
    } catch (error) {
      setStatus("无法连接服务：" + error.message, true);
    } finally {
      for (const button of document.querySelectorAll(".actions button")) button.disabled = false;
      updateButtons();
    }
  };
}

// ---------------------------------------------------------------------------------------------
// templates and tabs

function updateButtons() {
  const info = templates.find((t) => t.name === state.template);
  $("do-docx").disabled = Boolean(info) && !info.formats.includes("docx");
}

function showTemplate() {
  for (const input of document.querySelectorAll("input[name=template]")) input.checked = input.value === state.template;
  const info = templates.find((t) => t.name === state.template);
  const label = TEMPLATE_LABELS[state.template];
  $("template-description").textContent = label ? label[1] : info ? info.description : "";
  buildForm();
  clearProblems();
  updateButtons();
}

function showTab() {
  const paste = state.tab === "paste";
  $("tab-form").setAttribute("aria-selected", String(!paste));
  $("tab-paste").setAttribute("aria-selected", String(paste));
  $("panel-form").hidden = paste;
  $("panel-paste").hidden = !paste;
  clearProblems();
}

async function loadTemplates() {
  const response = await fetch("templates");
  const order = Object.keys(TEMPLATE_LABELS);
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  templates = (await response.json()).sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  const choices = $("template-choices");
  choices.replaceChildren();
  for (const info of templates) {
    const label = document.createElement("label");
    label.className = "choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "template";
    input.value = info.name;
    input.addEventListener("change", () => {
      state.template = info.name;
      save();
      showTemplate();
    });
    label.append(input, document.createTextNode(TEMPLATE_LABELS[info.name] ? TEMPLATE_LABELS[info.name][0] : info.name));
    choices.append(label);
  }
  if (!templates.some((t) => t.name === state.template) && templates.length) state.template = templates[0].name;
}

async function start() {
  restore();
  await loadTemplates();
  showTemplate();
  showTab();
  $("paste-kind").value = state.paste.kind;
  $("paste-text").value = state.paste.text;
  $("paste-kind").addEventListener("change", (event) => { state.paste.kind = event.target.value; save(); });
  $("paste-text").addEventListener("input", (event) => { state.paste.text = event.target.value; save(); scheduleCheck(); });
  $("tab-form").addEventListener("click", () => { state.tab = "form"; save(); showTab(); });
  $("tab-paste").addEventListener("click", () => { state.tab = "paste"; save(); showTab(); });
  $("do-validate").addEventListener("click", guarded(check));
  $("do-preview").addEventListener("click", guarded(preview));
  $("do-pdf").addEventListener("click", guarded(() => download("pdf")));
  $("do-docx").addEventListener("click", guarded(() => download("docx")));
  $("do-clear").addEventListener("click", () => {
    if (!confirm("清空当前模板的全部内容？")) return;
    if (state.tab === "paste") state.paste.text = "";
    else state.values[state.template] = {};
    $("paste-text").value = state.paste.text;
    save();
    showTemplate();
  });
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  start().catch((error) => setStatus("页面加载失败：" + error.message, true));
});
