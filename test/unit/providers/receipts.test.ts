import { acknowledgedReceipt, receiptFromRead } from '../../../activities/providers/receipts';

const AT = new Date('2030-01-01T00:00:00Z');
const REF = { orderId: 'ord_1' };

// Receipts cross into the workflow as they are built here: a date the provider did not give must be
// absent, not present and undefined (toStrictEqual tells the two apart).
describe('submit receipts', () => {
  test('an answer to our write is an acknowledgement, with the date only when the answer gave one', () => {
    expect(acknowledgedReceipt(AT, REF)).toStrictEqual({
      submittedAt: '2030-01-01T00:00:00.000Z',
      alreadyExisted: false,
      acknowledged: true,
      providerReference: REF,
    });
    expect(acknowledgedReceipt(AT, REF, true, '2030-02-01T00:00:00.000Z')).toStrictEqual({
      submittedAt: '2030-01-01T00:00:00.000Z',
      alreadyExisted: true,
      acknowledged: true,
      providerReference: REF,
      effectiveAt: '2030-02-01T00:00:00.000Z',
    });
  });

  test('a read that shows a cancellation is never an acknowledgement, and always an existing one', () => {
    expect(receiptFromRead(AT, REF)).toStrictEqual({
      submittedAt: '2030-01-01T00:00:00.000Z',
      alreadyExisted: true,
      acknowledged: false,
      providerReference: REF,
    });
    expect(receiptFromRead(AT, REF, '2030-02-01T00:00:00.000Z')).toMatchObject({
      acknowledged: false,
      effectiveAt: '2030-02-01T00:00:00.000Z',
    });
  });
});
