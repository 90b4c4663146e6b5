import { amsterdamDate } from '../../domain/calendar';
import { centsToDecimal } from '../../domain/money';

/**
 * A bank statement as a Dutch bank writes it (CAMT.053.001.02), balances consistent with its
 * credits; each credit booked on `bookedOn` (default: today in Amsterdam).
 */
export function camtStatement(id: string, credits: { ref: string; cents: number; remittance: string; bookedOn?: string }[]): string {
  const today = amsterdamDate(new Date());
  const opening = 100_000;
  const closing = opening + credits.reduce((sum, c) => sum + c.cents, 0);
  const balance = (code: string, cents: number) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${centsToDecimal(cents)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${today}</Dt></Dt></Bal>`;
  const entries = credits
    .map(
      (c) => `<Ntry><Amt Ccy="EUR">${centsToDecimal(c.cents)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>${c.bookedOn ?? today}</Dt></BookgDt><ValDt><Dt>${c.bookedOn ?? today}</Dt></ValDt><AcctSvcrRef>${c.ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">${centsToDecimal(c.cents)}</Amt></TxAmt></AmtDtls>
        <RltdPties><Dbtr><Nm>Bewoner</Nm></Dbtr><DbtrAcct><Id><IBAN>NL16RABO0158764323</IBAN></Id></DbtrAcct></RltdPties>
        <RmtInf><Ustrd>${c.remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
  <GrpHdr><MsgId>${id}</MsgId><CreDtTm>${today}T05:00:00+01:00</CreDtTm></GrpHdr>
  <Stmt><Id>${id}</Id><CreDtTm>${today}T05:00:00+01:00</CreDtTm>
    <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
    ${balance('OPBD', opening)}${balance('CLBD', closing)}
    ${entries}
  </Stmt></BkToCstmrStmt></Document>`;
}
