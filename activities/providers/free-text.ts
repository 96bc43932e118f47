// Providers with a free-text field get who asked and which request, always (shared/CONTRACT.md:
// requestedBy "is recorded in every provider's free-text field where one exists"). The caller's
// comment is what gives way when the field is too short, never the record of who asked.

/**
 * Joins `fixed` parts (kept whole) and the comment (shortened with an ellipsis to fit) into at most
 * `max` characters. The comment comes after the label parts and before the trailing ones.
 */
export function recordedText(
  parts: { lead?: string[]; comment?: string; trail: string[] },
  max = 255,
  separator = ' | ',
): string {
  const lead = (parts.lead ?? []).filter(Boolean);
  const trail = parts.trail.filter(Boolean);
  const fixedLength = [...lead, ...trail].join(separator).length;
  const comment = parts.comment?.trim();
  let kept = comment;
  if (comment) {
    const room = max - fixedLength - separator.length;
    kept = room <= 1 ? undefined : comment.length <= room ? comment : `${comment.slice(0, room - 1)}…`;
  }
  return [...lead, ...(kept ? [kept] : []), ...trail].join(separator).slice(0, max);
}
