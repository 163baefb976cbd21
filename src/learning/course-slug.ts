/**
 * The slug a course gets when its creator names none: the title in lowercase ASCII words
 * joined by hyphens, e.g. "Intro to Café Ops!" becomes "intro-to-cafe-ops".
 */

/** The longest slug a course may have. */
export const SLUG_MAX_LENGTH = 100;

/**
 * Derives a slug from `title`. A title with no latin letters or digits (e.g. only CJK) would
 * give an empty slug, so it falls back to one built from the course id, which is unique.
 */
export function slugFromTitle(title: string, courseId: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
  const slug = words.slice(0, SLUG_MAX_LENGTH).replace(/^-+|-+$/g, '');
  if (slug !== '') return slug;
  return `course-${courseId.slice(courseId.indexOf('_') + 1).toLowerCase()}`;
}
