import type { ComponentType, LazyExoticComponent } from 'react';
import type { RaRecord } from 'react-admin';

type Page = ComponentType | LazyExoticComponent<ComponentType>;

/**
 * One section of SpotVibe Administration: its react-admin pages, where its API lives under /api/admin/, and
 * its French words. resources/index.ts lists them all; adding a section is one such file added to that list.
 */
export interface AdminResource {
  /** react-admin's name, in the URL: /admin/#/<name>. */
  name: string;
  /** The list's path under /api/admin/ (default `/<name>/`). */
  listPath?: string;
  /** One record's path (default `/<name>/<id>/`). */
  itemPath?: (id: string | number) => string;
  /**
   * The list answers a plain array (a few rows: templates, plans) rather than a page: the data provider filters,
   * sorts and pages it here.
   */
  wholeList?: boolean;
  /** Turns the detail answer into the record (when the API wraps it); also each row of a whole list. */
  fromItem?: (json: unknown) => RaRecord;
  list?: Page;
  show?: Page;
  edit?: Page;
  create?: Page;
  icon?: ComponentType;
  recordRepresentation?: string | ((record: RaRecord) => string);
  /** `resources.<name>` of the French messages: the menu label and the fields' labels. */
  messages: { name: string; fields?: Record<string, string> };
  /** Only for these roles (e.g. `superuser`); everyone on the staff otherwise. */
  roles?: string[];
}
