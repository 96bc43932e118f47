import { recordedText } from '../../activities/providers/free-text';

describe('recordedText: who asked and which request are kept whole; the comment gives way', () => {
  test('joins lead, comment and trail', () => {
    expect(
      recordedText({ lead: ['Cancelled'], comment: 'too expensive', trail: ['by customer', 'req r-1'] }),
    ).toBe('Cancelled | too expensive | by customer | req r-1');
  });

  test('empty parts are left out, the lead is optional, and the comment is trimmed', () => {
    expect(recordedText({ comment: '  moving abroad ', trail: ['', 'by merchant'] })).toBe(
      'moving abroad | by merchant',
    );
    expect(recordedText({ lead: ['', 'L'], trail: ['T'] })).toBe('L | T');
    expect(recordedText({ lead: ['L'], comment: '   ', trail: ['T'] })).toBe('L | T');
  });

  test('a comment that fits exactly is kept whole', () => {
    // fixed 'a | b' (5) + separator (3) leaves 5 of 13 for the comment.
    expect(recordedText({ lead: ['a'], comment: 'hello', trail: ['b'] }, 13)).toBe('a | hello | b');
  });

  test('a longer comment is shortened with an ellipsis to exactly the limit', () => {
    const text = recordedText({ lead: ['a'], comment: 'hello', trail: ['b'] }, 12);
    expect(text).toBe('a | hel… | b');
    expect(text).toHaveLength(12);
    expect(recordedText({ lead: ['a'], comment: 'hello', trail: ['b'] }, 10)).toBe('a | h… | b');
  });

  test('with room for no more than an ellipsis, the comment is dropped, never the record of who asked', () => {
    expect(recordedText({ lead: ['a'], comment: 'hello', trail: ['b'] }, 9)).toBe('a | b');
    expect(recordedText({ lead: ['a'], comment: 'hello', trail: ['b'] }, 5)).toBe('a | b');
  });

  test('the default limit is 255 characters', () => {
    const text = recordedText({ comment: 'x'.repeat(400), trail: ['requested by customer'] });
    expect(text).toHaveLength(255);
    expect(text.endsWith('… | requested by customer')).toBe(true);
  });

  test('fixed parts longer than the field are cut at the limit', () => {
    expect(recordedText({ lead: ['x'.repeat(300)], comment: 'c', trail: ['t'] })).toBe('x'.repeat(255));
  });

  test('a custom separator is used for joining and counted for the room', () => {
    expect(recordedText({ lead: ['a'], comment: 'hello', trail: ['b'] }, 9, '/')).toBe('a/hello/b');
    expect(recordedText({ lead: ['a'], comment: 'hello', trail: ['b'] }, 8, '/')).toBe('a/hel…/b');
  });
});
