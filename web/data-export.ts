import type { TenantDataExport } from '../db/data-export';
import { categoryLabel, dutchDate, dutchDateTime, euro, outcomeLabels } from './dutch';
import { actorLabel, channelLabels, describeEvent, letterKindLabels } from './dutch-consultant';
import { html, type Html } from './html';

const roleWords = { polluter: 'als veroorzaker', complainant: 'als melder', named: 'genoemd in de melding' } as const;
const statusWords: Record<string, string> = { open: 'loopt', closed: 'afgesloten', paid: 'betaald', credited: 'gecrediteerd' };
const severityWords: Record<string, string> = { standard: 'waarschuwing', sharp: 'scherpe waarschuwing' };

const none = (what: string) => html`<p>Geen ${what}.</p>`;
const table = (caption: string, head: string[], rows: Html[]) =>
  rows.length === 0
    ? null
    : html`<table><caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;

/**
 * The access request's answer as a document a person reads (Dutch, self-contained HTML, printable
 * to PDF from any browser): what is held about the tenant, section by section, events in words.
 */
export function renderTenantDataExport(data: TenantDataExport, corporationName: string): string {
  const d = data.directory;
  const body = html`<h1>Uw gegevens bij ${corporationName}</h1>
<p>Overzicht van alle gegevens die ${corporationName} over huurder ${data.tenantId} bewaart, gemaakt op ${dutchDateTime(data.madeAt)} (inzageverzoek, artikel 15 AVG).</p>
<h2>Adresboek</h2>
${d
  ? html`<dl>
  <dt>Naam</dt><dd>${d.name}</dd>
  <dt>E-mailadres</dt><dd>${d.email ?? 'geen'}</dd>
  <dt>Adres</dt><dd>${d.street} ${d.houseNumber}, ${d.postalCode} ${d.city}</dd>
  <dt>Woning</dt><dd>${d.unit} (gebouw ${d.buildingId}, complex ${d.complexId})</dd>
  <dt>Contractnummer</dt><dd>${data.tenantId}</dd>
  <dt>Laatst bijgewerkt</dt><dd>${dutchDateTime(d.updatedAt)}</dd>
</dl>`
  : html`<p>Niet (meer) in het adresboek.</p>`}
${data.billingAddressee
  ? html`<p>Voor de belastingdienst bewaard bij de facturen tot en met ${dutchDate(data.billingAddressee.keepUntil, false)}: ${data.billingAddressee.name}, ${data.billingAddressee.street} ${data.billingAddressee.houseNumber}, ${data.billingAddressee.postalCode} ${data.billingAddressee.city}.</p>`
  : ''}
${data.erasures.map((e) => html`<p>Persoonsgegevens gewist op ${dutchDateTime(e.erasedAt)}.</p>`)}
<h2>Meldingen</h2>
${data.incidents.length === 0
  ? none('meldingen')
  : data.incidents.map(
      (i) => html`<section>
<h3>Melding ${i.incidentNumber ?? i.incidentId}: ${categoryLabel(i.category)}</h3>
<p>U komt hierin voor ${i.roles.map((r) => roleWords[r]).join(' en ')}. Plaats: ${i.location}. Gemeld op ${dutchDateTime(i.reportedAt)}; ${
        i.status === 'closed' ? html`afgesloten op ${i.closedAt ? dutchDateTime(i.closedAt) : '–'} (${outcomeLabels[i.outcome as keyof typeof outcomeLabels] ?? i.outcome ?? ''})` : 'loopt nog'
      }.</p>
<ol>${i.events.map((e) => {
        const { what, said } = describeEvent(e.type, e.data);
        return html`<li>${dutchDateTime(e.recordedAt)}: ${what}${said ? html`: ${said}` : ''} <span>(${actorLabel(e.actor, null)})</span></li>`;
      })}</ol>
</section>`,
    )}
<h2>Brieven aan u</h2>
${table(
  'Brieven',
  ['Datum', 'Brief', 'Verstuurd', 'Adres'],
  data.letters.map((l) => html`<tr><td>${dutchDateTime(l.recordedAt)}</td><td>${letterKindLabels[l.kind as keyof typeof letterKindLabels] ?? l.kind}</td><td>${channelLabels[l.channel ?? 'pending'] ?? l.channel}</td><td>${l.address ?? '–'}</td></tr>`),
) ?? none('brieven')}
<h2>Facturen en betalingen</h2>
${table(
  'Facturen',
  ['Factuur', 'Datum', 'Vervaldatum', 'Bedrag', 'Stand', 'Openstaand', 'Betalingen'],
  data.invoices.map(
    (i) => html`<tr><td>${i.invoiceNumber}</td><td>${dutchDate(i.issueDate, false)}</td><td>${dutchDate(i.dueDate, false)}</td><td>${euro(i.totalCents)}</td><td>${statusWords[i.status] ?? i.status}${
      i.creditNoteNumber ? html` (creditnota ${i.creditNoteNumber})` : ''
    }</td><td>${euro(i.openCents)}</td><td>${i.payments.length === 0 ? 'geen' : i.payments.map((p) => html`${euro(p.amountCents)} op ${dutchDate(p.paidOn, false)}${p.reference ? html` (${p.reference})` : ''}; `)}</td></tr>`,
  ),
) ?? none('facturen')}
${table(
  'Servicekosten',
  ['Melding', 'Uw deel', 'Datum'],
  data.serviceCostShares.map((s) => html`<tr><td>${s.incidentId}</td><td>${euro(s.amountCents)}</td><td>${dutchDateTime(s.recordedAt)}</td></tr>`),
) ?? ''}
<h2>Overtredingen</h2>
${table(
  'Overtredingen',
  ['Melding', 'Nummer', 'Soort', 'Datum'],
  data.offences.map((o) => html`<tr><td>${o.incidentId}</td><td>${o.offenceNumber}</td><td>${severityWords[o.severity] ?? o.severity}</td><td>${dutchDateTime(o.recordedAt)}</td></tr>`),
) ?? none('overtredingen')}
<h2>Foto's</h2>
${table(
  "Foto's",
  ['Foto', 'Melding', 'Soort', 'Grootte', 'Gemaakt op', 'Door'],
  data.photos.map((p) => html`<tr><td>${p.photoId}</td><td>${p.incidentId ?? '–'}</td><td>${p.contentType}</td><td>${Math.ceil(p.byteSize / 1024)} kB</td><td>${dutchDateTime(p.uploadedAt)}</td><td>${actorLabel(p.uploadedBy, null)}</td></tr>`),
) ?? none("foto's")}
<p>Tekst die is verwijderd na de bewaartermijn of na een verzoek om wissing staat hierboven als ‘[verwijderd]’.</p>`;
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Uw gegevens: huurder ${escapeTitle(data.tenantId)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}table{border-collapse:collapse;width:100%;margin:0 0 1rem}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold}dt{font-weight:bold}span{color:#444}</style>
</head><body><main>${body.text}</main></body></html>`;
}

const escapeTitle = (text: string) => html`${text}`.text;
