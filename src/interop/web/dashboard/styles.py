"""The dashboard's style sheet, served by the app at ``/dashboard/static/dashboard.css``.

Kept as a Python constant so that it ships inside the package whatever the
installer copies. Small on purpose: system fonts, dark text on white (every
colour pair at least 4.5:1), a visible focus ring, a skip link, and a layout
that fits a 360 px wide phone: the page never scrolls sideways, wide tables
scroll inside their own container and charts scale to the width.
"""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """\
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
    "Liberation Sans", Arial, sans-serif;
  font-size: 1rem; line-height: 1.5; color: #1a1a1a; background: #ffffff;
  overflow-wrap: anywhere;
}
a { color: #0b4f94; }
a:visited { color: #5a2d82; }
a:focus-visible, summary:focus-visible, .table-scroll:focus-visible,
.chart-scroll:focus-visible,
select:focus-visible, input:focus-visible, button:focus-visible {
  outline: 3px solid #b35900; outline-offset: 2px;
}
.skip {
  position: absolute; left: 0.5rem; top: -4rem; z-index: 10; padding: 0.5rem 0.75rem;
  background: #ffffff; color: #0b4f94; border: 2px solid #0b4f94;
}
.skip:focus { top: 0.5rem; }
header.site { background: #14304f; color: #ffffff; padding: 0.75rem 1rem; }
header.site p { margin: 0 0 0.25rem; font-weight: 600; }
header.site a { color: #ffffff; }
header.site nav ul { list-style: none; margin: 0; padding: 0; display: flex;
  flex-wrap: wrap; gap: 0.25rem 1rem; }
nav.breadcrumb { padding: 0.5rem 1rem 0; }
nav.breadcrumb ol { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; }
nav.breadcrumb li + li::before { content: "\\203A"; padding: 0 0.4rem; color: #555555; }
main { display: block; max-width: 72rem; margin: 0 auto; padding: 0.5rem 1rem 2rem; }
footer { max-width: 72rem; margin: 0 auto; padding: 1rem; color: #4a4a4a;
  border-top: 1px solid #cccccc; font-size: 0.9rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.75rem 0; }
h2 { font-size: 1.3rem; margin: 1.75rem 0 0.5rem; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 0.5rem; }
p, li { max-width: 48rem; }
code, .hash { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 0.85rem; overflow-wrap: anywhere; word-break: break-all; }
pre.entry { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-all;
  background: #f5f5f5; padding: 0.5rem; }
figure { margin: 0.5rem 0; }
figcaption { color: #3d3d3d; font-size: 0.9rem; }
.chart-scroll { max-width: 100%; overflow-x: auto; }
.chart-svg { display: block; width: 100%; min-width: 34rem; max-width: 56rem; height: auto; }
.table-scroll { max-width: 100%; overflow-x: auto; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid #d0d0d0; text-align: left;
  vertical-align: top; overflow-wrap: normal; }
thead th { border-bottom: 2px solid #555555; white-space: nowrap; }
td code { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
details { margin: 0.5rem 0 1rem; }
details.proof { margin: 0.25rem 0; border: 1px solid #c4c4c4; border-radius: 4px;
  padding: 0.4rem 0.75rem; }
details.proof[open] { padding-bottom: 0.75rem; }
details.proof ol { margin: 0; padding-left: 1.5rem; }
summary { cursor: pointer; color: #0b4f94; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem;
  margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; min-width: 0; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr));
  gap: 1rem; }
.card { border: 1px solid #c4c4c4; border-radius: 4px; padding: 0.75rem 1rem; min-width: 0; }
.card h3 { margin-top: 0; }
.allowed { color: #14632f; font-weight: 600; }
.refused { color: #a11a12; font-weight: 600; }
.note { background: #f3f6fa; border-left: 4px solid #14304f; padding: 0.5rem 1rem; }
form.choose { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; }
form.choose .field { display: flex; flex-direction: column; max-width: 100%; }
form.choose label { font-weight: 600; }
select, input, button { font: inherit; padding: 0.25rem 0.4rem; max-width: 100%; }
button { background: #14304f; color: #ffffff; border: 0; border-radius: 3px;
  padding: 0.4rem 0.9rem; cursor: pointer; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
@media (max-width: 30rem) {
  h1 { font-size: 1.35rem; }
  main, footer { padding-left: 0.6rem; padding-right: 0.6rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 0.4rem; }
}
"""
