// The dashboard's stylesheet, served from its own origin (the CSP allows no inline style).
export const STYLESHEET = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fff; }
header { display: flex; justify-content: space-between; align-items: center; padding: .5rem 1rem; background: #eef2f7; }
nav a { margin-right: 1rem; color: #0b3d91; }
main { padding: 1rem; }
a { color: #0b3d91; }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f2a900; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
.banner { margin: 0; padding: .5rem 1rem; background: #fff4ce; border-bottom: 1px solid #8a6d00; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #c6c6c6; padding: .25rem .5rem; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
.muted { color: #595959; }
.stop { color: #a4000f; }
.dirty { color: #7a4d00; }
.facts dt { font-weight: bold; }
.facts dd { margin: 0 0 .5rem 0; }
.chart-pair { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.chart { min-width: 300px; min-height: 240px; flex: 1 1 480px; }
.manifest { background: #f6f8fa; padding: 1rem; overflow: auto; }
.filters label { margin-left: .5rem; }
.emergency { margin: 1rem 0; padding: 1rem; border: 2px solid #a4000f; }
.notice { padding: .5rem; background: #e7f4e4; }
.signout span { margin-right: .5rem; }
`;
