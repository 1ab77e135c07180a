// The form of each template: which article fields it shows, their Chinese labels and kinds.
// key is the field path of the article contract (shared/spec/article.md); kinds:
//   text, textarea, date, number, select (options), lines (one item per line → a list),
//   organs (one line → a string, several → a list), body (one paragraph per line; # headings).
"use strict";

const BODY_HINT = "每行一段。标题行以 # 开头：# 一级（一、） ## 二级（（一）） ### 三级（1.） #### 四级（（1））。";
const ARTICLE_BODY_HINT = "每行一段。小标题行以 # 开头（# 大标题，## 小标题）。";

const OFFICIAL_HEAD = [
  { group: "版头" },
  { key: "official.copy_number", label: "份号", kind: "text", hint: "1–6 位数字，如 000123", width: "narrow" },
  { key: "official.secrecy", label: "密级", kind: "select", options: ["", "秘密", "机密", "绝密"], width: "narrow" },
  { key: "official.secrecy_period", label: "保密期限", kind: "text", hint: "如 1年", width: "narrow" },
  { key: "official.urgency", label: "紧急程度", kind: "select", options: ["", "特急", "加急"], width: "narrow" },
  { key: "official.issuer", label: "发文机关标志", kind: "organs", rows: 2,
    hint: "如 ××省××厅文件；联合行文时每行一个机关" },
  { key: "official.number", label: "发文字号", kind: "text", hint: "如 粤环〔2024〕12号" },
];

const OFFICIAL_MAIN = [
  { group: "主体" },
  { key: "title", label: "标题", kind: "textarea", rows: 2, required: true },
  { key: "official.recipients", label: "主送机关", kind: "text", hint: "以全角冒号结尾，如 各地级以上市生态环境局：" },
  { key: "body", label: "正文", kind: "body", rows: 14, hint: BODY_HINT },
  { key: "official.attachments", label: "附件说明", kind: "lines", rows: 3, hint: "每行一个附件名称，编号自动加上" },
  { key: "official.signatory", label: "发文机关署名", kind: "text" },
  { key: "date", label: "成文日期", kind: "date", width: "narrow" },
  { key: "official.note", label: "附注", kind: "text", hint: "如 此件公开发布（括号自动加上）" },
];

const BANJI = [
  { group: "版记" },
  { key: "official.cc", label: "抄送机关", kind: "lines", rows: 3, hint: "每行一个机关" },
  { key: "official.printer", label: "印发机关", kind: "text" },
  { key: "official.print_date", label: "印发日期", kind: "date", width: "narrow" },
];

const SIGNERS = { key: "official.signers", label: "签发人", kind: "lines", rows: 2, hint: "上行文填写，每行一人" };

const TEMPLATE_FIELDS = {
  official: [...OFFICIAL_HEAD, SIGNERS, ...OFFICIAL_MAIN, ...BANJI],
  letter: [...OFFICIAL_HEAD, ...OFFICIAL_MAIN, ...BANJI],
  report: [
    { group: "报告" },
    { key: "title", label: "标题", kind: "textarea", rows: 2, required: true },
    { key: "subtitle", label: "副标题", kind: "text" },
    { key: "date", label: "日期", kind: "date", width: "narrow" },
    { key: "publisher.name", label: "报告单位", kind: "text", hint: "印在封面日期之上" },
    { key: "report.secrecy", label: "密级", kind: "select", options: ["", "内部资料", "秘密", "机密"], width: "narrow" },
    { key: "report.numbering", label: "标题编号", kind: "select", options: ["", "official", "decimal"], width: "narrow",
      labels: { "": "一、（一）1.（默认）", official: "一、（一）1.", decimal: "1 / 1.1 / 1.1.1" } },
    { key: "body", label: "正文", kind: "body", rows: 16, hint: BODY_HINT },
  ],
  article: [
    { group: "文章" },
    { key: "title", label: "标题", kind: "textarea", rows: 2, required: true },
    { key: "subtitle", label: "副标题", kind: "text" },
    { key: "date", label: "日期", kind: "date", width: "narrow" },
    { key: "category", label: "文章分类", kind: "text", width: "narrow" },
    { key: "author", label: "编辑作者", kind: "text", width: "narrow" },
    { key: "views", label: "阅读次数", kind: "number", width: "narrow" },
    { key: "lead", label: "导语", kind: "textarea", rows: 3 },
    { key: "body", label: "正文", kind: "body", rows: 14, hint: ARTICLE_BODY_HINT },
    { group: "来源与声明" },
    { key: "source", label: "来源", kind: "text" },
    { key: "compiled_by", label: "整理", kind: "text" },
    { key: "disclaimer", label: "声明", kind: "textarea", rows: 3 },
    { key: "publisher.name", label: "发布单位（页眉）", kind: "text" },
    { key: "publisher.phone", label: "联系电话（页眉）", kind: "text", width: "narrow" },
  ],
};

// Chinese wording of the service's messages (the English original stays in the tooltip).
const MESSAGES = [
  [/^a value \(required field\)/, () => "必填"],
  [/^a non-empty string/, () => "不能为空"],
  [/^an ISO date/, () => "请填写有效日期（年-月-日）"],
  [/^a string of 1 to 6 digits/, () => "应为 1 到 6 位数字"],
  [/^特急 or 加急/, () => "只能是“特急”或“加急”"],
  [/^a heading level from 1 to 4/, () => "标题层级应为 1–4（# 到 ####）"],
  [/^at most ([\d,]+) characters/, (m) => `最多 ${m[1]} 个字符`],
  [/^at most ([\d,]+) items/, (m) => `最多 ${m[1]} 项`],
  [/^a whole number ≥ 0/, () => "应为不小于 0 的整数"],
  [/^a known field/, () => "未知字段"],
  [/^no image/, () => "本服务不接受图片"],
  [/^a path to an existing image/, () => "图片须在服务的素材目录中"],
  [/^valid (YAML|JSON)/, (m, found) => `${m[1]} 格式错误：${found}`],
  [/^Markdown starting with a YAML front-matter/, () => "Markdown 须以 --- 包围的 YAML 字段开头"],
  [/^a mapping of article fields/, () => "顶层应为字段映射（如 title: …）"],
];

function chineseMessage(problem) {
  for (const [pattern, word] of MESSAGES) {
    const match = problem.expected.match(pattern);
    if (match) return word(match, problem.found);
  }
  return `应为：${problem.expected}${problem.found ? "；实际：" + problem.found : ""}`;
}
