import type { FastifyInstance } from 'fastify';
import { amsterdamDate } from '../../domain/calendar';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf, type ApiAnswer } from '../api-client';
import { categoryLabel, dutchDate, dutchDateTime, inDutch } from '../dutch';
import { html, type Html } from '../html';
import { contextOf, sendPage, type Notice } from '../layout';
import { workQueueTexts as t, capitalized, countOf } from '../dutch-consultant';
import type { IncidentSummary } from '../dutch-consultant';
import { roundsGroup, type RoundList } from './rounds-queue';

/** Items a group shows; the rest is one link away (the incident list, filtered the same way). */
const SHOWN = 8;

interface Overdue {
  inspectionsWaiting: {
    total: number;
    items: { incidentId: string; incidentNumber: string | null; category: string; complexId: string; buildingId: string; location: string; cleanupReportedAt: string; workingDaysWaiting: number | null }[];
  };
  contractorsLate: {
    total: number;
    items: { incidentId: string; incidentNumber: string | null; category: string; complexId: string; buildingId: string; contractorId: string | null; orderedAt: string; workingDaysSinceOrder: number | null }[];
  };
}

interface IncidentList {
  incidents: IncidentSummary[];
  total: number;
}

interface Group {
  id: string;
  title: string;
  total: number;
  kind: 'ok' | 'warn' | 'bad';
  empty: string;
  items: { href: string; label: string; detail: Html | string }[];
  more: string | null;
}

/**
 * The consultant's work queue: what needs them today, each group a short list with its count and a
 * link to the rest. Read through the API as the person (the overdue lists and the incident list
 * with its filters), in parallel: five calls, each one indexed query.
 */
export function registerConsultantWork(app: FastifyInstance, deps: WorkspaceDeps): void {
  app.get('/app/werk', { config: { access: { roles: ['consultant'] } }, schema: { hide: true } }, async (request, reply) => {
    const context = contextOf(request, deps.corporationName);
    const api = apiOf(app, request);
    const today = amsterdamDate(new Date());
    const [overdue, deadlines, disputes, attention, rounds] = await Promise.all([
      api.get<Overdue>(`/reports/overdue${queryOf({ asOf: today, limit: SHOWN })}`),
      api.get<IncidentList>(`/incidents${queryOf({ phase: 'awaiting_cleanup', deadlineFrom: today, deadlineTo: today, limit: SHOWN })}`),
      api.get<IncidentList>(`/incidents${queryOf({ dispute: 'open', limit: SHOWN })}`),
      api.get<IncidentList>(`/incidents${queryOf({ status: 'needs_attention', limit: SHOWN })}`),
      api.get<RoundList>(`/rounds${queryOf({ consultant: 'me', status: 'open', limit: SHOWN })}`),
    ]);
    const failed = ([overdue, deadlines, disputes, attention, rounds] as ApiAnswer<{ detail?: string }>[]).find((answer) => answer.status !== 200);
    if (failed) {
      const notices: Notice[] = [{ kind: 'bad', text: inDutch(String(failed.body?.detail ?? failed.status)) }];
      return sendPage(reply, context, { title: t.title, body: html`<h1>${t.title}</h1>`, notices }, failed.status >= 500 ? 503 : failed.status);
    }
    const where = (i: { location?: string; buildingId: string; complexId: string }) =>
      i.location ? `${i.location} (${i.buildingId})` : `${t.building} ${i.buildingId} (${t.complex} ${i.complexId})`;
    const number = (i: { incidentNumber?: string | null }) => (i.incidentNumber ? `${i.incidentNumber} · ` : '');

    const groups: Group[] = [
      {
        id: 'controleren',
        title: t.inspect.title,
        total: overdue.body.inspectionsWaiting.total,
        kind: 'warn',
        empty: t.inspect.empty,
        items: overdue.body.inspectionsWaiting.items.map((i) => ({
          href: `/app/meldingen/${i.incidentId}`,
          label: `${number(i)}${capitalized(categoryLabel(i.category))}: ${where(i)}`,
          detail: html`${t.inspect.reported} ${dutchDateTime(i.cleanupReportedAt)}${i.workingDaysWaiting ? html` · ${t.workingDaysWaiting(i.workingDaysWaiting)}` : ''}`,
        })),
        more: overdue.body.inspectionsWaiting.total > SHOWN ? `/app/meldingen${queryOf({ phase: 'cleanup_reported' })}` : null,
      },
      {
        id: 'vandaag',
        title: t.deadlines.title,
        total: deadlines.body.total,
        kind: 'warn',
        empty: t.deadlines.empty,
        items: deadlines.body.incidents.map((i) => ({
          href: `/app/meldingen/${i.incidentId}`,
          label: `${number(i)}${capitalized(categoryLabel(i.category))}: ${where(i)}`,
          detail: html`${i.deadline ? `${t.deadlines.until} ${dutchDateTime(i.deadline)}` : ''} · ${i.polluterTenantId ? `${t.tenant} ${i.polluterTenantId}` : t.residents}`,
        })),
        more: deadlines.body.total > SHOWN ? `/app/meldingen${queryOf({ phase: 'awaiting_cleanup', deadlineFrom: today, deadlineTo: today })}` : null,
      },
      {
        id: 'bezwaren',
        title: t.disputes.title,
        total: disputes.body.total,
        kind: 'bad',
        empty: t.disputes.empty,
        items: disputes.body.incidents.map((i) => ({
          href: `/app/meldingen/${i.incidentId}#bezwaar`,
          label: `${number(i)}${capitalized(categoryLabel(i.category))}: ${where(i)}`,
          detail: i.dispute === 'open' ? t.disputes.onIncident : `${t.disputes.onInvoice} ${i.invoiceNumber ?? ''}`,
        })),
        more: disputes.body.total > SHOWN ? `/app/meldingen${queryOf({ dispute: 'open' })}` : null,
      },
      {
        id: 'werkorders',
        title: t.late.title,
        total: overdue.body.contractorsLate.total,
        kind: 'bad',
        empty: t.late.empty,
        items: overdue.body.contractorsLate.items.map((i) => ({
          href: `/app/meldingen/${i.incidentId}`,
          label: `${number(i)}${capitalized(categoryLabel(i.category))}: ${where(i)}`,
          detail: html`${t.late.ordered} ${dutchDateTime(i.orderedAt)}${i.contractorId ? ` ${t.late.at} ${i.contractorId}` : ''}${
            i.workingDaysSinceOrder !== null ? ` · ${t.workingDaysSince(i.workingDaysSinceOrder)}` : ''
          }`,
        })),
        more: overdue.body.contractorsLate.total > SHOWN ? `/app/meldingen${queryOf({ phase: 'cleanup_ordered' })}` : null,
      },
      {
        id: 'aandacht',
        title: t.attention.title,
        total: attention.body.total,
        kind: 'bad',
        empty: t.attention.empty,
        items: attention.body.incidents.map((i) => ({
          href: `/app/meldingen/${i.incidentId}#aandacht`,
          label: `${number(i)}${capitalized(categoryLabel(i.category))}: ${where(i)}`,
          detail: i.attention ? `${t.attention.since} ${dutchDateTime(i.attention.since)}: ${i.attention.reason}` : '',
        })),
        more: attention.body.total > SHOWN ? `/app/meldingen${queryOf({ status: 'needs_attention' })}` : null,
      },
    ];
    groups.push(roundsGroup(rounds.body, SHOWN));
    const waiting = groups.reduce((sum, g) => sum + g.total, 0);

    return sendPage(reply, context, {
      title: t.title,
      body: html`<h1>${t.title}</h1>
<p class="lead">${dutchDate(today)}: ${waiting === 0 ? t.nothing : t.waiting(waiting)}</p>
<ul class="cards work-summary" aria-label="${t.summaryLabel}">${groups.map(
        (g) => html`<li class="card${g.total > 0 ? ` ${g.kind}` : ''}"><a href="#${g.id}"><span class="count">${g.total}</span> ${g.title}</a></li>`,
      )}</ul>
${groups.map(
  (g) => html`<section class="work-group" aria-labelledby="${g.id}">
<h2 id="${g.id}">${g.title} <span class="tag${g.total > 0 ? ` ${g.kind}` : ''}">${countOf(g.total)}</span></h2>
${
  g.items.length === 0
    ? html`<p class="muted">${g.empty}</p>`
    : html`<ul class="work-list">${g.items.map((item) => html`<li><a href="${item.href}">${item.label}</a><span class="muted">${item.detail}</span></li>`)}</ul>`
}
${g.more ? html`<p><a href="${g.more}">${t.showAll(g.total, g.title)}</a></p>` : ''}
</section>`,
)}`,
    });
  });
}
