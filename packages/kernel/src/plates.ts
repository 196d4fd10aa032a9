/**
 * Plates are compared as plate readers see them: upper case, no spaces, dashes or dots. Every
 * service that stores or matches a registration number (parking's vehicles, billing's permits)
 * uses this one form.
 */
export function normalisePlate(raw: string): string {
  return raw
    .normalize('NFC')
    .toUpperCase()
    .replace(/[\s\p{Pd}.·]/gu, '');
}
