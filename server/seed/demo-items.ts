// Believable exception payloads for the demo queues: what the AI produced and why a human must look.
import type { ExceptionReason, JsonObject } from '../../shared/domain';
import type { Rng } from './prng';

export interface DemoItem {
  source: string;
  externalId: string;
  title: string;
  summary: string;
  confidence: number | null;
  reasons: ExceptionReason[];
  input: JsonObject;
  output: JsonObject;
}

const FIRST = ['Maria', 'James', 'Wei', 'Aisha', 'Lukas', 'Sofia', 'Mohammed', 'Elena', 'Kenji', 'Priya', 'Jonas', 'Fatima', 'Daniel', 'Ines', 'Oleksandr', 'Grace', 'Tomás', 'Amara', 'Henrik', 'Leila'];
const LAST = ['Gonzalez', 'Smith', 'Chen', 'Rahman', 'Müller', 'Rossi', 'Haddad', 'Petrova', 'Tanaka', 'Sharma', 'Berg', 'Al-Sayed', 'Kowalski', 'Silva', 'Shevchenko', 'Mensah', 'Ortega', 'Okonkwo', 'Lindqvist', 'Nasser'];
const COUNTRIES = ['ES', 'GB', 'DE', 'FR', 'NL', 'AE', 'UA', 'NG', 'SE', 'IT', 'PL', 'PT', 'US', 'IN', 'JP'];
/** n as en-US money text (1,234.50), as toLocaleString would write it, without Intl's cost (the seed formats thousands). */
const fmt = (n: number) => {
  const [whole, cents] = Math.abs(n).toFixed(2).split('.');
  return `${n < 0 ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
};
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const round2 = (n: number) => Math.round(n * 100) / 100;
const conf = (rng: Rng, lo: number, hi: number) => Math.round((lo + rng.next() * (hi - lo)) * 1000) / 1000;
const isoDay = (base: Date, daysAgo: number) => new Date(base.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);

const VENDORS = [
  { name: 'Northwind Traders GmbH', vat: 'DE811907980', known: true }, { name: 'Acme Industrial Supply Ltd', vat: 'GB293847561', known: true },
  { name: 'Globex Logistics BV', vat: 'NL859374021B01', known: true }, { name: 'Initech Office Solutions', vat: 'IE6388047V', known: true },
  { name: 'Umbrella Facilities SAS', vat: 'FR40303265045', known: true }, { name: 'Vandelay Imports SL', vat: 'ESB12345674', known: true },
  { name: 'Hooli Cloud Services', vat: 'IE9700053D', known: true }, { name: 'Soylent Catering AB', vat: 'SE556677889901', known: true },
  { name: 'Kessler & Voss Elektro', vat: 'DE298745123', known: false }, { name: 'Brightline Print Co.', vat: 'GB104958372', known: false },
];
const LINES = ['Pallet racking, 3-bay', 'Laptop docking station', 'Freight Rotterdam–Hamburg', 'Office cleaning, monthly', 'Catering, all-hands lunch',
  'Cloud compute (reserved)', 'Printer toner, black', 'Safety boots, size mix', 'Forklift maintenance', 'Network switch 48-port', 'Consulting hours'];

export function invoiceItem(rng: Rng, n: number, now: Date): DemoItem {
  const vendor = rng.pick(VENDORS);
  const currency = rng.pick(['EUR', 'EUR', 'USD', 'GBP']);
  const lines = Array.from({ length: rng.int(1, 5) }, () => {
    const qty = rng.int(1, 40);
    const unitPrice = rng.money(4, 900);
    return { description: rng.pick(LINES), quantity: qty, unitPrice, amount: round2(qty * unitPrice) };
  });
  const subtotal = round2(lines.reduce((s, l) => s + l.amount, 0));
  const taxRate = currency === 'GBP' ? 0.2 : currency === 'USD' ? 0.0725 : 0.19;
  const tax = round2(subtotal * taxRate);
  const total = round2(subtotal + tax);
  const invoiceNumber = `INV-${pad(20000 + n * 7, 6)}`;
  const kind = !vendor.known ? 'vendor_unknown' : rng.pick(['totals_mismatch', 'totals_mismatch', 'field_misread', 'duplicate_invoice', 'tax_incorrect', 'po_missing']);
  const extractedTotal = kind === 'totals_mismatch' ? round2(total + rng.pick([-1, 1]) * rng.money(10, 400)) : total;
  const extractedTax = kind === 'tax_incorrect' ? round2(subtotal * rng.pick([0.07, 0.16, 0.21])) : tax;
  const poNumber = kind === 'po_missing' ? null : `PO-${pad(rng.int(1000, 9999), 5)}`;
  const invoiceDate = isoDay(now, rng.int(1, 20));
  const reasons: ExceptionReason[] = [];
  if (kind === 'totals_mismatch') reasons.push({ code: 'totals_mismatch', message: `Line items plus tax come to ${currency} ${fmt(total)} but the extracted total is ${currency} ${fmt(extractedTotal)}`, severity: 'error', field: 'total' });
  if (kind === 'vendor_unknown') reasons.push({ code: 'vendor_unknown', message: `No vendor with VAT id ${vendor.vat} in the vendor master`, severity: 'error', field: 'vendorVatId' });
  if (kind === 'duplicate_invoice') reasons.push({ code: 'duplicate_invoice', message: `${invoiceNumber} from ${vendor.name} looks like one posted on ${isoDay(now, rng.int(21, 60))}`, severity: 'warning', field: 'invoiceNumber' });
  if (kind === 'tax_incorrect') reasons.push({ code: 'tax_incorrect', message: `Extracted tax ${fmt(extractedTax)} is not ${Math.round(taxRate * 1000) / 10}% of the subtotal ${fmt(subtotal)}`, severity: 'error', field: 'taxAmount' });
  if (kind === 'po_missing') reasons.push({ code: 'po_missing', message: 'No purchase order number found on the document', severity: 'warning', field: 'poNumber' });
  if (kind === 'field_misread') reasons.push({ code: 'low_field_confidence', message: `Invoice date read with confidence ${conf(rng, 0.31, 0.6)}`, severity: 'warning', field: 'invoiceDate' });
  return {
    source: 'invoice-extraction', externalId: `inv-${pad(n, 6)}`,
    title: `Invoice ${invoiceNumber} from ${vendor.name} — ${currency} ${fmt(extractedTotal)}`,
    summary: `${lines.length} line item${lines.length > 1 ? 's' : ''}; ${reasons[0].message}.`,
    confidence: conf(rng, 0.52, 0.94),
    reasons,
    input: { documentUri: `s3://ap-inbox/2026/11/${invoiceNumber}.pdf`, pages: rng.int(1, 4), receivedVia: rng.pick(['email', 'supplier-portal', 'scan']), model: 'docparse-v4.2' },
    output: {
      vendorName: vendor.name, vendorVatId: vendor.vat, invoiceNumber, invoiceDate, dueDate: isoDay(now, -rng.int(10, 45)),
      currency, lineItems: lines, subtotal, taxAmount: extractedTax, total: extractedTotal, poNumber, glAccount: rng.pick(['6100', '6120', '6400', '7200']),
    },
  };
}

const LISTS = ['OFAC SDN', 'EU Consolidated', 'UN Security Council', 'UK HMT'];

export function kycItem(rng: Rng, n: number, now: Date): DemoItem {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const country = rng.pick(COUNTRIES);
  const birthYear = rng.int(1950, 2003);
  const dob = `${birthYear}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`;
  const kind = rng.pick(['name_match', 'name_match', 'name_match', 'pep_hit', 'document_expired']);
  const score = conf(rng, 0.71, 0.97);
  const list = rng.pick(LISTS);
  const matchedName = rng.chance(0.5) ? `${first} ${last}` : `${first.slice(0, 1)}. ${last}${rng.chance(0.5) ? '' : '-' + rng.pick(LAST)}`;
  const matches = kind === 'document_expired' ? [] : [{ listName: kind === 'pep_hit' ? 'PEP register (Dow Jones)' : list, matchedName, score,
    dobMatch: rng.chance(0.3), countryMatch: rng.chance(0.4), listedSince: isoDay(now, rng.int(200, 4000)) }];
  // One expiry date for the message and the field it names (they used to be two draws that disagreed).
  const expiredOn = kind === 'document_expired' ? isoDay(now, rng.int(5, 400)) : null;
  const reasons: ExceptionReason[] = kind === 'name_match'
    ? [{ code: 'sanctions_name_match', message: `Name matches "${matchedName}" on ${list} with score ${score}`, severity: 'error', field: 'fullName' }]
    : kind === 'pep_hit'
      ? [{ code: 'pep_hit', message: `Possible politically exposed person: "${matchedName}" (score ${score})`, severity: 'warning', field: 'fullName' }]
      : [{ code: 'document_expired', message: `Passport expired on ${expiredOn}`, severity: 'error', field: 'document.expiresOn' }];
  return {
    source: 'kyc-onboarding', externalId: `app-${pad(n, 6)}`,
    title: kind === 'document_expired' ? `Expired passport for ${first} ${last} (${country})` : `${kind === 'pep_hit' ? 'PEP' : 'Sanctions'} hit for ${first} ${last} (${country}) — ${score} match`,
    summary: `Onboarding application APP-${pad(n, 6)}; ${reasons[0].message}.`,
    confidence: kind === 'document_expired' ? null : score,
    reasons,
    // For an expired passport the draw that used to make the second (disagreeing) date is still taken, so the
    // seeded sequence, and with it every other demo item, stays as it was.
    input: { applicationId: `APP-${pad(n, 6)}`, fullName: `${first} ${last}`, dateOfBirth: dob, nationality: country,
      document: { type: 'passport', number: `${country}${pad(rng.int(1000000, 9999999), 7)}`, expiresOn: expiredOn !== null ? (rng.int(5, 400), expiredOn) : isoDay(now, -rng.int(200, 3000)) },
      product: rng.pick(['business-account', 'personal-account', 'card']) },
    output: { screeningProvider: 'screen-ai v3', recommendation: 'hold', matches, riskScore: conf(rng, 0.4, 0.95) },
  };
}

const TICKETS = [
  { subject: 'Charged twice for my subscription', intent: 'billing_duplicate_charge', draft: 'I am sorry about the double charge. I have refunded the second payment of {amt}; it will reach your card in 5–7 working days.' },
  { subject: 'Where is my order?', intent: 'order_status', draft: 'Your order {order} left our warehouse yesterday and should arrive by Friday. You can track it here: {link}.' },
  { subject: 'Cancel my plan please', intent: 'cancellation', draft: 'I have cancelled your plan. You will keep access until the end of the billing period and will not be charged again.' },
  { subject: 'App crashes when I upload a photo', intent: 'bug_report', draft: 'Thanks for reporting this. Please update to version 5.2.1, which fixes photo uploads on Android 14.' },
  { subject: 'Can I get a discount for my team?', intent: 'sales_discount', draft: 'Great news: teams of 10 or more get 40% off. I have applied the discount to your account.' },
  { subject: 'Password reset email never arrives', intent: 'account_access', draft: 'I have sent a new reset link to your address. Please also check your spam folder.' },
  { subject: 'Refund for damaged item', intent: 'refund_damaged', draft: 'I am sorry your item arrived damaged. I have issued a full refund of {amt} and you do not need to return it.' },
];

export function supportItem(rng: Rng, n: number): DemoItem {
  const t = rng.pick(TICKETS);
  const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
  const order = `#${rng.int(100000, 999999)}`;
  const amt = `€${fmt(rng.money(8, 240))}`;
  const draft = `Hi ${name.split(' ')[0]},\n\n${t.draft.replace('{amt}', amt).replace('{order}', order).replace('{link}', `https://track.example.com/${order.slice(1)}`)}\n\nBest regards,\nSupport team`;
  const confidence = conf(rng, 0.28, 0.69);
  const reasons: ExceptionReason[] = [{ code: 'low_confidence', message: `Draft confidence ${confidence} is below the auto-send threshold 0.70`, severity: 'warning' }];
  if (/refund|discount|40%/.test(t.draft) && rng.chance(0.6)) reasons.push({ code: 'policy_sensitive', message: 'Draft commits to a refund or discount', severity: 'warning', field: 'draftReply' });
  return {
    source: 'support-replies', externalId: `ticket-${pad(48000 + n, 6)}`,
    title: `Draft reply to "${t.subject}" (#${48000 + n})`,
    summary: `${name} wrote about ${t.intent.replace(/_/g, ' ')}; the model's draft is not confident enough to send on its own.`,
    confidence,
    reasons,
    input: { ticketId: `T-${48000 + n}`, customer: { name, plan: rng.pick(['free', 'pro', 'business']), tenureMonths: rng.int(1, 60) }, subject: t.subject,
      message: `${t.subject}. ${rng.pick(['This is the second time I am writing.', 'Please help asap.', 'Thanks in advance.', 'Order ' + order + '.'])}`, channel: rng.pick(['email', 'chat', 'web-form']) },
    output: { intent: t.intent, draftReply: draft, citedArticles: rng.chance(0.5) ? [`KB-${rng.int(100, 999)}`] : [], suggestedActions: /refund/.test(t.draft) ? [{ type: 'refund', amount: amt }] : [], model: 'reply-gen-2025-10' },
  };
}

const POSTS = [
  { text: 'Honestly this guy should never be allowed near a keyboard again, what an idiot', label: 'harassment' },
  { text: 'Limited offer!!! Double your crypto in 24h, DM me for the wallet address', label: 'spam' },
  { text: 'New study shows drinking bleach cures the flu, share before they delete this', label: 'misinformation' },
  { text: 'Our local team won 3-0 tonight, the keeper was unreal', label: 'harassment' },
  { text: 'Selling my old bike, barely used, pick up only', label: 'spam' },
  { text: 'People from that neighbourhood are all the same, keep them out', label: 'hate' },
  { text: 'Check out my new artwork, a figure study in charcoal', label: 'adult' },
  { text: 'That referee needs glasses, worst call of the season', label: 'harassment' },
];

export function moderationItem(rng: Rng, n: number): DemoItem {
  const p = rng.pick(POSTS);
  const score = conf(rng, 0.5, 0.89);
  const handle = `@${rng.pick(FIRST).toLowerCase()}_${rng.int(10, 9999)}`;
  const scores: Record<string, number> = { harassment: conf(rng, 0, 0.3), hate: conf(rng, 0, 0.2), spam: conf(rng, 0, 0.3), misinformation: conf(rng, 0, 0.2), adult: conf(rng, 0, 0.2) };
  scores[p.label] = score;
  return {
    source: 'content-moderation', externalId: `post-${pad(900000 + n, 7)}`,
    title: `Post by ${handle} flagged as ${p.label} (${score})`,
    summary: `"${p.text.slice(0, 80)}${p.text.length > 80 ? '…' : ''}"`,
    confidence: score,
    reasons: [{ code: `policy_${p.label}`, message: `Classifier score ${score} for ${p.label} is in the human-review band 0.50–0.90`, severity: score > 0.75 ? 'error' : 'warning' }],
    input: { postId: `P${900000 + n}`, author: handle, authorAgeDays: rng.int(1, 3000), priorStrikes: rng.int(0, 3), surface: rng.pick(['comments', 'feed', 'marketplace', 'groups']), text: p.text, reports: rng.int(0, 12) },
    output: { label: p.label, proposedAction: score > 0.75 ? 'remove' : 'limit_reach', scores, model: 'safety-clf-7' },
  };
}

const PO_VENDORS = [{ name: 'Dell Technologies', approved: true }, { name: 'Staples Business', approved: true }, { name: 'Bright Events Ltd', approved: false },
  { name: 'CloudCo Consulting', approved: false }, { name: 'Lenovo', approved: true }, { name: 'Facility Pros Inc', approved: true }];
const DEPTS = ['Engineering', 'Marketing', 'Operations', 'Finance', 'People'];

export function procurementItem(rng: Rng, n: number): DemoItem {
  const vendor = rng.pick(PO_VENDORS);
  const dept = rng.pick(DEPTS);
  const amount = rng.money(900, 48000);
  const remaining = round2(amount * conf(rng, 0.4, 1.2));
  const requester = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
  const reasons: ExceptionReason[] = [];
  if (!vendor.approved) reasons.push({ code: 'unapproved_vendor', message: `${vendor.name} is not on the approved vendor list`, severity: 'error', field: 'vendor' });
  if (remaining < amount) reasons.push({ code: 'over_budget', message: `USD ${fmt(amount)} exceeds the remaining ${dept} Q4 budget of USD ${fmt(remaining)}`, severity: 'error', field: 'amount' });
  if (reasons.length === 0 || rng.chance(0.2)) reasons.push({ code: 'split_purchase', message: `Second PO to ${vendor.name} from ${requester} today; together over the USD 10,000 approval limit`, severity: 'warning' });
  const po = `PO-${pad(7000 + n, 5)}`;
  return {
    source: 'procurement', externalId: `po-${pad(7000 + n, 6)}`,
    title: `${po} · ${vendor.name} · USD ${fmt(amount)} (${dept})`,
    summary: reasons.map((r) => r.message).join('; '),
    confidence: null,
    reasons,
    input: { poNumber: po, requester, department: dept, vendor: vendor.name, amount, currency: 'USD', costCenter: `CC-${rng.int(100, 999)}`,
      justification: rng.pick(['Replacement laptops for new hires', 'Q4 offsite venue', 'Migration support', 'Office supplies restock', 'Annual maintenance']) },
    output: { ruleEngine: 'spend-policy 2026.3', decision: 'needs_approval', rulesFired: reasons.map((r) => r.code), budgetRemaining: remaining },
  };
}
