// Migrations, applied in name order. Each module owns its own numbered file; add one, never edit a shipped one.
import type { Migration } from 'kysely';
import { m0001_foundation } from './0001_foundation.js';
import { m0002_audit } from './0002_audit.js';
import { m0700_actions } from './0700_actions.js';
import { m0800_access } from './0800_access.js';
import { m0400_ingest_sources } from './0400_ingest_sources.js';
import { m0500_enrich } from './0500_enrich.js';
import { m0600_triage } from './0600_triage.js';
import { m1710_hot_path } from './1710_hot_path.js';
import { m0650_comments } from './0650_comments.js';
import { m0660_logged_on } from './0660_logged_on.js';
import { m1720_retention } from './1720_retention.js';
import { m1510_leases } from './1510_leases.js';
import { m1520_outbox_claims } from './1520_outbox_claims.js';
import { m1660_risk } from './1660_risk.js';
import { m1530_shared_auth } from './1530_shared_auth.js';
import { m1540_enrich_claims } from './1540_enrich_claims.js';
import { m1760_tuning } from './1760_tuning.js';
import { m1770_incident_latest } from './1770_incident_latest.js';
import { m1780_redundant_indexes } from './1780_redundant_indexes.js';
import { m1790_cursor_fences } from './1790_cursor_fences.js';
import { m1800_detection_rules } from './1800_detection_rules.js';
import { m1810_capped_indicators } from './1810_capped_indicators.js';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001_foundation,
  '0002_audit': m0002_audit,
  '0700_actions': m0700_actions,
  '0800_access': m0800_access,
  '0500_enrich': m0500_enrich,
  '0400_ingest_sources': m0400_ingest_sources,
  '0600_triage': m0600_triage,
  '1710_hot_path': m1710_hot_path,
  '0650_comments': m0650_comments,
  '0660_logged_on': m0660_logged_on,
  '1720_retention': m1720_retention,
  '1510_leases': m1510_leases,
  '1520_outbox_claims': m1520_outbox_claims,
  '1660_risk': m1660_risk,
  '1530_shared_auth': m1530_shared_auth,
  '1540_enrich_claims': m1540_enrich_claims,
  '1760_tuning': m1760_tuning,
  '1770_incident_latest': m1770_incident_latest,
  '1780_redundant_indexes': m1780_redundant_indexes,
  '1790_cursor_fences': m1790_cursor_fences,
  '1800_detection_rules': m1800_detection_rules,
  '1810_capped_indicators': m1810_capped_indicators,
};
