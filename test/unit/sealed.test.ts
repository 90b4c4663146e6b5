import { ERASED_TEXT, isSealed, mapSealed, sealedKeyIds, sealedText, withoutSealed } from '../../domain/sealed';

const one = sealedText({ keyId: 'k1', iv: 'aXY', ciphertext: 'Y2lwaGVy' });
const two = sealedText({ keyId: 'k2', iv: 'aXY', ciphertext: 'b3RoZXI' });

test('a sealed text is found wherever it is: alone, quoted inside a longer text, deep in an event', () => {
  const event = { reason: `bezwaar gegrond: ${one}`, lines: [{ note: two }], amountCents: 100, at: null };
  expect(isSealed(event.reason)).toBe(true);
  expect(isSealed('gewone tekst')).toBe(false);
  expect([...sealedKeyIds(event)].sort()).toEqual(['k1', 'k2']);
  expect(mapSealed(event, (parts) => (parts.keyId === 'k1' ? 'de bank was van de vorige bewoner' : ERASED_TEXT))).toEqual({
    reason: 'bezwaar gegrond: de bank was van de vorige bewoner',
    lines: [{ note: '[verwijderd]' }],
    amountCents: 100,
    at: null,
  });
});

test('the billing ledger leaves a sealed ruling out of a credit note\'s description, and plain text as it is', () => {
  expect(withoutSealed(`bezwaar gegrond: ${one}`)).toBe('bezwaar gegrond: (toelichting in het dossier)');
  expect(withoutSealed('bezwaar gegrond')).toBe('bezwaar gegrond');
});
