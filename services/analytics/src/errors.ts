import { problemCatalog } from '@easypark/kernel';

export const { problem, catalog: analyticsProblems } = problemCatalog({
  FACILITY_NOT_FOUND: { status: 404, title: 'No such facility' },
  ALERT_NOT_FOUND: { status: 404, title: 'No such alert' },
  ALERT_ALREADY_ACKNOWLEDGED: { status: 409, title: 'The alert is already acknowledged' },
  INVALID_THRESHOLD: { status: 400, title: 'The alert threshold is not valid' },
  INVALID_RANGE: { status: 400, title: 'The time range is not valid' },
  INVALID_IMPORT: { status: 400, title: 'The history could not be read' },
  NOT_ENOUGH_HISTORY: { status: 409, title: 'The facility has too little history to forecast' },
});
