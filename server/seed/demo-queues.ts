// The demo organisation: who works here and which queues they own.
import type { Queue, Role } from '../../shared/domain';

export const DEMO_USERS: { id: string; displayName: string; roles: Role[] }[] = [
  { id: 'alice', displayName: 'Alice Moreau', roles: ['reviewer'] },
  { id: 'bob', displayName: 'Bob Okafor', roles: ['reviewer'] },
  { id: 'olivia', displayName: 'Olivia Park', roles: ['owner', 'reviewer'] },
  { id: 'omar', displayName: 'Omar Haddad', roles: ['owner'] },
  { id: 'sam', displayName: 'Sam Reyes', roles: ['supervisor'] },
  { id: 'ingest', displayName: 'Ingest pipeline', roles: ['producer'] },
  // The colleagues behind the demo's eight weeks of history (demo-history.ts).
  { id: 'chen', displayName: 'Chen Wei', roles: ['reviewer'] },
  { id: 'dana', displayName: 'Dana Kowalski', roles: ['reviewer'] },
  { id: 'emeka', displayName: 'Emeka Obi', roles: ['reviewer'] },
  { id: 'freya', displayName: 'Freya Lindqvist', roles: ['reviewer'] },
  { id: 'gita', displayName: 'Gita Sharma', roles: ['reviewer'] },
  { id: 'hugo', displayName: 'Hugo Silva', roles: ['reviewer'] },
  { id: 'ines', displayName: 'Ines Rossi', roles: ['reviewer'] },
  { id: 'jonas', displayName: 'Jonas Berg', roles: ['reviewer'] },
];

const other = { code: 'other', label: 'Other (explain in a comment)' };

export const DEMO_QUEUES: Queue[] = [
  {
    id: 'invoices-ledger', name: 'Invoices · post to ledger', workflow: 'invoice-extraction', stage: 'post-to-ledger',
    exceptionClass: 'data_integrity', ownerId: 'olivia', ownerName: 'Olivia Park', slaTargetMinutes: 240, idleThresholdSec: 60,
    reasonCodes: [
      { code: 'totals_mismatch', label: 'Line items do not add up to the total' },
      { code: 'field_misread', label: 'The model misread a field' },
      { code: 'vendor_unknown', label: 'Vendor not in the vendor master' },
      { code: 'duplicate_invoice', label: 'Duplicate of an invoice already posted' },
      { code: 'tax_incorrect', label: 'Tax rate or amount is wrong' },
      { code: 'po_missing', label: 'No matching purchase order' },
      other,
    ],
  },
  {
    id: 'kyc-sanctions', name: 'KYC · sanctions screen', workflow: 'kyc-onboarding', stage: 'sanctions-screen',
    exceptionClass: 'policy', ownerId: 'olivia', ownerName: 'Olivia Park', slaTargetMinutes: 480, idleThresholdSec: 90,
    reasonCodes: [
      { code: 'false_positive', label: 'False positive: different person' },
      { code: 'true_match', label: 'Confirmed match on a sanctions list' },
      { code: 'pep_review', label: 'Politically exposed person: needs enhanced due diligence' },
      { code: 'document_expired', label: 'Identity document expired' },
      { code: 'insufficient_docs', label: 'Not enough information to decide' },
      other,
    ],
  },
  {
    id: 'support-drafts', name: 'Support · send AI draft', workflow: 'support-replies', stage: 'send-draft',
    exceptionClass: 'confidence', ownerId: 'olivia', ownerName: 'Olivia Park', slaTargetMinutes: 60, idleThresholdSec: 45,
    reasonCodes: [
      { code: 'wrong_answer', label: 'The draft answers the wrong question' },
      { code: 'hallucinated_fact', label: 'The draft states something untrue' },
      { code: 'policy_promise', label: 'Promises something outside policy' },
      { code: 'tone', label: 'Tone is wrong for the customer' },
      { code: 'missing_info', label: 'Needs information the draft does not have' },
      other,
    ],
  },
  {
    id: 'moderation-publish', name: 'Moderation · publish', workflow: 'content-moderation', stage: 'publish',
    exceptionClass: 'policy', ownerId: 'olivia', ownerName: 'Olivia Park', slaTargetMinutes: 120, idleThresholdSec: 60,
    reasonCodes: [
      { code: 'not_violating', label: 'Not a violation: publish' },
      { code: 'harassment', label: 'Harassment or bullying' },
      { code: 'hate', label: 'Hateful conduct' },
      { code: 'spam', label: 'Spam or scam' },
      { code: 'misinformation', label: 'Harmful misinformation' },
      { code: 'adult', label: 'Adult content' },
      other,
    ],
  },
  {
    id: 'procurement-po', name: 'Procurement · approve PO', workflow: 'procurement', stage: 'approve-po',
    exceptionClass: 'business_rule', ownerId: 'omar', ownerName: 'Omar Haddad', slaTargetMinutes: 1440, idleThresholdSec: 120,
    reasonCodes: [
      { code: 'over_budget', label: 'Exceeds the remaining budget' },
      { code: 'unapproved_vendor', label: 'Vendor is not on the approved list' },
      { code: 'split_purchase', label: 'Looks like a split purchase to stay under a limit' },
      { code: 'missing_quote', label: 'Competing quotes missing' },
      other,
    ],
  },
];

/** How many demo items each queue gets (2,000 in all). */
export const DEMO_COUNTS: Record<string, number> = {
  'invoices-ledger': 600, 'kyc-sanctions': 300, 'support-drafts': 550, 'moderation-publish': 400, 'procurement-po': 150,
};
