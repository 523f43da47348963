// The fleet view as one HTML page: campaign cards, a chart of verdicts per wave and of blockers per code (inline
// SVG), and a table of every upgrade with filters by campaign, wave and verdict. Rendered on the server from plain
// data; the same page is the dashboard (it refreshes its main section) and the self-contained report file.
import type { FleetRow, FleetView } from './fleet-view';

const esc = (v: string | number | undefined) =>
  String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const VERDICT_COLOR: Record<string, string> = {
  GO: '#2e7d32',
  GO_WITH_CAUTION: '#ef8f00',
  NO_GO: '#c62828',
  failed: '#616161',
};

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
header{background:#232f3e;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:baseline}
header h1{font-size:18px;margin:0}header small{opacity:.75}
main{padding:16px 20px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:16px}
.card{background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:10px 14px;min-width:320px}
.card h2{font-size:15px;margin:0 0 4px}.card .phase{font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin:8px 0 16px}
.chart{background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:8px}
.chart h3{font-size:13px;margin:0 0 4px}
.filters{margin:8px 0;display:flex;gap:12px;align-items:center}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e3e7eb;padding:4px 8px;text-align:left;font-size:13px;vertical-align:top}
th{background:#eef1f4}
.v{font-weight:600;padding:1px 6px;border-radius:3px;color:#fff}
.v-GO{background:#2e7d32}.v-GO_WITH_CAUTION{background:#ef8f00}.v-NO_GO{background:#c62828}
.code{font-family:ui-monospace,monospace;background:#eef1f4;padding:0 4px;border-radius:3px;margin-right:3px}
.stop{color:#c62828;font-weight:600}
`;

function verdictBadge(v: string | undefined): string {
  return v ? `<span class="v v-${esc(v)}">${esc(v)}</span>` : '—';
}

function campaignCards(view: FleetView): string {
  if (view.campaigns.length === 0) return '<p>No campaign in this namespace.</p>';
  return `<div class="cards">${view.campaigns
    .map(
      (c) => `<div class="card" data-campaign="${esc(c.campaignId)}"><h2>${esc(c.name)} → ${esc(c.targetVersion)}</h2>
<div class="headline">${esc(c.headline)}</div>
<div>phase <span class="phase">${esc(c.phase)}</span> · mode ${esc(c.mode)} · ${c.clusters.length} clusters</div>
${c.stopReasons.map((r) => `<div class="stop">stopped: ${esc(r)}</div>`).join('')}
${c.gateBlockers.length > 0 ? `<div class="stop">gate held: ${esc(c.gateBlockers.join(', '))}</div>` : ''}
</div>`,
    )
    .join('')}</div>`;
}

/** Stacked bars: clusters per verdict in each wave of each campaign. */
export function verdictsPerWaveSvg(view: FleetView): string {
  const bars: Array<{ label: string; counts: Record<string, number> }> = [];
  for (const c of view.campaigns)
    c.waves.forEach((w, i) => {
      const counts: Record<string, number> = { GO: 0, GO_WITH_CAUTION: 0, NO_GO: 0, failed: 0 };
      for (const cl of c.clusters.filter((x) => x.wave === i)) {
        const hopVerdicts = cl.hops.map((h) => h.verdict).filter(Boolean);
        const worst = hopVerdicts.includes('NO_GO')
          ? 'NO_GO'
          : hopVerdicts.includes('GO_WITH_CAUTION')
            ? 'GO_WITH_CAUTION'
            : hopVerdicts.includes('GO')
              ? 'GO'
              : undefined;
        if (cl.path === 'failed') counts.failed = (counts.failed ?? 0) + 1;
        else if (worst) counts[worst] = (counts[worst] ?? 0) + 1;
      }
      bars.push({ label: `${view.campaigns.length > 1 ? `${c.name}/` : ''}${w.name}`, counts });
    });
  const max = Math.max(1, ...bars.map((b) => Object.values(b.counts).reduce((a, n) => a + n, 0)));
  const barW = 46;
  const h = 150;
  const width = Math.max(220, bars.length * (barW + 14) + 20);
  const parts = bars.map((b, i) => {
    let y = h;
    const x = 14 + i * (barW + 14);
    const rects = Object.entries(b.counts)
      .filter(([, n]) => n > 0)
      .map(([verdict, n]) => {
        const bh = (n / max) * (h - 20);
        y -= bh;
        return `<rect x="${x}" y="${y.toFixed(1)}" width="${barW}" height="${bh.toFixed(1)}" fill="${VERDICT_COLOR[verdict] ?? '#999'}"><title>${esc(b.label)}: ${n} ${esc(verdict)}</title></rect>`;
      })
      .join('');
    return `${rects}<text x="${x + barW / 2}" y="${h + 14}" font-size="11" text-anchor="middle">${esc(b.label)}</text>`;
  });
  const legend = Object.entries(VERDICT_COLOR)
    .map(
      ([k, color], i) =>
        `<rect x="${14 + i * 150}" y="${h + 24}" width="10" height="10" fill="${color}"/><text x="${28 + i * 150}" y="${h + 33}" font-size="11">${k}</text>`,
    )
    .join('');
  return `<svg class="verdict-chart" role="img" aria-label="verdicts per wave" width="${Math.max(width, 600)}" height="${h + 40}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}${legend}</svg>`;
}

/** Horizontal bars: upgrades blocked per blocker code. */
export function blockersPerCodeSvg(rows: readonly FleetRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) for (const code of r.blockerCodes) counts.set(code, (counts.get(code) ?? 0) + 1);
  const entries = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 15);
  if (entries.length === 0)
    return '<svg class="blocker-chart" role="img" aria-label="blockers per code" width="260" height="30" xmlns="http://www.w3.org/2000/svg"><text x="4" y="20" font-size="12">no blockers</text></svg>';
  const max = Math.max(...entries.map(([, n]) => n));
  const rowH = 20;
  const bars = entries
    .map(([code, n], i) => {
      const w = (n / max) * 200;
      const y = i * rowH + 4;
      return `<text x="0" y="${y + 13}" font-size="12" font-family="monospace">${esc(code)}</text><rect x="70" y="${y}" width="${w.toFixed(1)}" height="14" fill="#c62828"><title>${esc(code)}: ${n}</title></rect><text x="${74 + w}" y="${y + 12}" font-size="11">${n}</text>`;
    })
    .join('');
  return `<svg class="blocker-chart" role="img" aria-label="blockers per code" width="320" height="${entries.length * rowH + 8}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

function options(values: Iterable<string>, label: string, name: string): string {
  return `<label>${label} <select data-filter="${name}"><option value="">all</option>${[...new Set(values)]
    .filter(Boolean)
    .sort()
    .map((v) => `<option value="${esc(v)}">${esc(v)}</option>`)
    .join('')}</select></label>`;
}

function upgradeTable(rows: readonly FleetRow[]): string {
  const body = rows
    .map(
      (
        r,
      ) => `<tr data-campaign="${esc(r.campaign ?? '')}" data-wave="${esc(r.wave ?? '')}" data-verdict="${esc(r.verdict ?? '')}">
<td>${esc(r.cluster)}</td><td>${esc(r.from ?? '?')} → ${esc(r.to)}</td><td>${esc(r.campaign ?? '—')}</td><td>${esc(r.wave ?? '—')}</td>
<td>${esc(r.phase)}${r.hopState && r.hopState !== r.phase ? ` <small>(${esc(r.hopState)})</small>` : ''}</td><td>${verdictBadge(r.verdict)}</td>
<td>${r.blockerCodes.map((c) => `<span class="code">${esc(c)}</span>`).join('') || '—'}</td>
<td>${r.costUsd === undefined ? '—' : `$${r.costUsd.toFixed(4)}`}</td><td><a href="${esc(r.webUi)}">${esc(r.workflowId)}</a></td></tr>`,
    )
    .join('\n');
  return `<table id="upgrades"><thead><tr><th>Cluster</th><th>Versions</th><th>Campaign</th><th>Wave</th><th>Phase</th><th>Verdict</th><th>Blockers</th><th>Bedrock</th><th>Workflow (Web UI)</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The page's main section: what the dashboard replaces on every refresh. */
export function renderFleetMain(view: FleetView): string {
  return `${campaignCards(view)}
<div class="charts"><div class="chart"><h3>Verdicts per wave</h3>${verdictsPerWaveSvg(view)}</div><div class="chart"><h3>Blockers per code</h3>${blockersPerCodeSvg(view.rows)}</div></div>
<div class="filters">${options(
    view.rows.map((r) => r.campaign ?? ''),
    'Campaign',
    'campaign',
  )}${options(
    view.rows.map((r) => r.wave ?? ''),
    'Wave',
    'wave',
  )}${options(['GO', 'GO_WITH_CAUTION', 'NO_GO'], 'Verdict', 'verdict')}<span id="shown"></span></div>
${upgradeTable(view.rows)}`;
}

// Plain script, no build: filters hide rows by their data attributes; the dashboard also re-fetches the main section.
function script(refreshMs: number | undefined): string {
  return `<script>
(function () {
  var chosen = {};
  function apply() {
    var rows = document.querySelectorAll('#upgrades tbody tr'), shown = 0;
    rows.forEach(function (tr) {
      var ok = Object.keys(chosen).every(function (k) { return !chosen[k] || tr.getAttribute('data-' + k) === chosen[k]; });
      tr.style.display = ok ? '' : 'none';
      if (ok) shown++;
    });
    var s = document.getElementById('shown'); if (s) s.textContent = shown + ' of ' + rows.length + ' upgrades';
    document.querySelectorAll('select[data-filter]').forEach(function (sel) { sel.value = chosen[sel.getAttribute('data-filter')] || ''; });
  }
  document.addEventListener('change', function (e) {
    var t = e.target; if (!t || !t.getAttribute || !t.getAttribute('data-filter')) return;
    chosen[t.getAttribute('data-filter')] = t.value; apply();
  });
  apply();
  ${
    refreshMs
      ? `setInterval(function () {
    fetch('fragment', { cache: 'no-store' }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (html === null) return;
      document.getElementById('main').innerHTML = html; apply();
      var g = document.getElementById('generated'); if (g) g.textContent = new Date().toISOString();
    }).catch(function () {});
  }, ${refreshMs});`
      : ''
  }
})();
</script>`;
}

export function renderFleetPage(view: FleetView, options: { title?: string; refreshMs?: number } = {}): string {
  const title = options.title ?? `EKS upgrades — ${view.namespace}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(title)}</h1><small>${options.refreshMs ? 'live, read-only · refreshed ' : 'generated '}<span id="generated">${esc(view.generatedAt)}</span></small></header>
<main id="main">${renderFleetMain(view)}</main>
${script(options.refreshMs)}
</body></html>`;
}
