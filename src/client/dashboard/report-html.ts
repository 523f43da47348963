// `campaign report --format html`: the dashboard's view of one or more campaigns as a single self-contained file
// (styles, charts and the filter script inline; no network), to attach to a change request.
import type { CampaignStatus } from '../../workflows/campaign-messages';
import { workflowUiLink } from '../connection';
import { campaignRows, type FleetView } from './fleet-view';
import { renderFleetPage } from './render';

export function renderFleetReportHtml(
  campaigns: CampaignStatus[],
  options: { uiBaseUrl: string; namespace: string; generatedAt: string },
): string {
  const link = (id: string) => workflowUiLink(options.uiBaseUrl, options.namespace, id);
  const view: FleetView = {
    generatedAt: options.generatedAt,
    namespace: options.namespace,
    campaigns,
    rows: campaigns.flatMap((c) => campaignRows(c, link)),
  };
  const title =
    campaigns.length === 1 && campaigns[0]
      ? `Campaign ${campaigns[0].name} → ${campaigns[0].targetVersion}`
      : undefined;
  return renderFleetPage(view, title ? { title } : {});
}
